"""A memory bomb within every file limit (issue 15): an XLSX of about 36 MB whose shared-strings table
unpacks to about 270 MB (ratio about 7.5, far under the zip-bomb guard's 200) took a worker to
2.38 GB. Runs `manage.py import_staff FILE --dry-run` on it in a child process and prints whether the
file was refused, how fast, and the child's peak resident set size (its own ru_maxrss, from wait4),
against the same command on an ordinary 1,000-row file.

    python bench/import_memory_bomb.py [MB] [--smoke]

MB is the size of the shared-strings table (270 by default). The database plays no part in this
figure, so it runs once, on SQLite."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import zipfile

from common import ROOT, SMOKE, Stack, load_demo_units, size, write_xlsx

TABLE_MB = size(270, smoke=4)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def write_bomb(path, table_mb: int) -> int:
    """A one-sheet workbook (the staff headers) and a shared-strings table of `table_mb` MB of short
    strings ("Nguyen Van " and 12 letters of a four-letter alphabet), which deflate squeezes about 7 times.
    Returns the table's size."""
    rnd = random.Random(15)
    letters = bytes.maketrans(bytes(range(256)), b"acgt" * 64)
    written = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{PKG[:-len("relationships")]}content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{MAIN}.sheet.main+xml"/>'
                   f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{MAIN}.worksheet+xml"/>'
                   f'<Override PartName="/xl/sharedStrings.xml" ContentType="{MAIN}.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {NS} xmlns:r="{OFFICE}"><sheets><sheet name="Cán bộ" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
                   f'Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        headers = ["Mã cán bộ", "Họ và tên", "Đơn vị"]
        cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(headers)))
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet {NS}><sheetData><row r="1">{cells}</row>'
                   '<row r="2"><c r="A2" t="s"><v>3</v></c></row></sheetData></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f"<sst {NS}>".encode() + b"".join(f"<si><t>{h}</t></si>".encode() for h in headers))
            while written < table_mb * 2**20:
                block = rnd.randbytes(2**20).translate(letters)
                chunk = b"".join(b"<si><t>Nguyen Van " + block[i:i + 12] + b"</t></si>"
                                 for i in range(0, len(block), 12))
                f.write(chunk)
                written += len(chunk)
            f.write(b"</sst>")
    return written


def import_staff(path, env, tmp) -> tuple[float, float, int, str, str]:
    """(seconds, peak RSS in MB, exit status, stdout, stderr) of `import_staff PATH --dry-run` in a fresh
    child process; the peak is that child's own (wait4), not the largest of all children so far."""
    out, err = tmp / "stdout", tmp / "stderr"
    t = time.perf_counter()
    with open(out, "w") as stdout, open(err, "w") as stderr:
        p = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "import_staff", str(path), "--dry-run"],
                             env=env, stdout=stdout, stderr=stderr, cwd=ROOT)
        _pid, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return time.perf_counter() - t, usage.ru_maxrss / 1024, p.returncode, out.read_text(), err.read_text()


def main() -> None:
    stack = Stack(nosync=True)
    try:
        codes = load_demo_units()
        env = dict(os.environ)
        if SMOKE:  # a 4 MB table against a 1 MB budget: the same path, in seconds
            env["IDM_IMPORT_MAX_XLSX_STRINGS_MB"] = "1"
        ordinary = stack.tmp / "staff-1000.xlsx"
        write_xlsx(ordinary, 1000, codes)
        bomb = stack.tmp / "bomb.xlsx"
        t = time.perf_counter()
        table = write_bomb(bomb, TABLE_MB)
        file_mb, table_mb = bomb.stat().st_size / 2**20, table / 2**20
        print(f"generated in {time.perf_counter() - t:.0f} s: {file_mb:.1f} MB file, shared strings {table_mb:.0f} MB "
              f"unpacked (ratio {table_mb / file_mb:.1f})")
        seconds, base_peak, status, stdout, stderr = import_staff(ordinary, env, stack.tmp)
        assert status == 0, stderr[-2000:]
        print(f"ordinary 1,000-row file: {seconds:.1f} s, peak RSS {base_peak:.0f} MB")
        seconds, peak, status, stdout, stderr = import_staff(bomb, env, stack.tmp)
        refused = status == 2 and "file rejected" in stdout and len(stderr.strip().splitlines()) == 1
        print(f"memory bomb: exit {status}, {'refused' if refused else 'NOT refused'} in {seconds:.1f} s "
              f"with one line on stderr: {stderr.strip()[:160]}...")
        if not refused or "Traceback" in stderr:
            sys.exit(f"the bomb was not refused cleanly:\n{stdout[-2000:]}\n{stderr[-2000:]}")
        print(f"  peak RSS {peak:.0f} MB, {peak - base_peak:+.0f} MB against the ordinary file "
              f"(target < 300 MB and refused; unguarded it reached 2,380 MB)")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
