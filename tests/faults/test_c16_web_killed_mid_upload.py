"""C-16: the web server (gunicorn, master and workers) killed with -9 while an HR officer streams a
large staff file, and again once the file is in and its preview is half checked. The first upload
leaves nothing; the second's check carries on in a worker. HR uploads the file again: the new
preview says the same file came before; both previews get confirmed; every row goes in once (the
second commit reports its rows as already imported), no one twice, reconcile at zero drift."""

from __future__ import annotations

import http.client
import re
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.faults

N = 3000
PASSWORD = "Mot mat khau du dai 2026!"
FILENAME = "c16-danh-sach.csv"


def staff_csv(units: list[str]) -> bytes:
    lines = ["Mã cán bộ,Họ và tên,Đơn vị,Chức vụ"]
    givens = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương"]
    for i in range(N):
        lines.append(f"C16-{i:04d},Trần Văn {givens[i % len(givens)]},{units[1 + i % (len(units) - 1)]},"
                     f"Chuyên viên {i:04d}")
    return ("\n".join(lines) + "\n").encode("utf-8")


class HR:
    """An HR officer's browser: a session cookie and the forms' CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        self.s = requests.Session()
        self.reloads: list[str] = []

    def reconnect(self) -> None:
        """The kept-alive connections died with the server; the cookies stay (a browser's reload)."""
        for prefix in ("http://", "https://"):
            self.s.mount(prefix, requests.adapters.HTTPAdapter())

    def get(self, path: str) -> requests.Response:
        """A page, reloaded as a person would while the restarted server comes up."""
        end = time.monotonic() + 30
        while True:
            try:
                return self.s.get(self.base + path, timeout=30)
            except requests.ConnectionError as exc:
                self.reloads.append(f"{path}: {exc.__class__.__name__}")
                if time.monotonic() > end:
                    raise
                self.reconnect()
                time.sleep(0.5)

    def token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def login(self, uid: str) -> None:
        r = self.s.post(self.base + "/accounts/login/", data={
            "csrfmiddlewaretoken": self.token("/accounts/login/"), "username": uid, "password": PASSWORD},
            allow_redirects=False, timeout=30)
        assert r.status_code == 302, r.text[-2000:]

    def upload(self, body: bytes) -> int:
        r = self.s.post(self.base + "/imports/", data={"csrfmiddlewaretoken": self.token("/imports/")},
                        files={"file": (FILENAME, body, "text/csv")}, allow_redirects=False, timeout=120)
        assert r.status_code == 302, r.status_code
        return int(re.search(r"/imports/(\d+)/", r.headers["Location"]).group(1))

    def status(self, pk: int) -> dict:
        return self.get(f"/imports/{pk}/status.json").json()

    def wait(self, pk: int, statuses: tuple[str, ...], timeout: float = 240) -> dict:
        end = time.monotonic() + timeout
        while (st := self.status(pk))["status"] not in statuses:
            assert time.monotonic() < end, st
            time.sleep(0.2)
        return st

    def commit(self, pk: int) -> None:
        r = self.s.post(f"{self.base}/imports/{pk}/commit/",
                        data={"csrfmiddlewaretoken": self.token(f"/imports/{pk}/")}, allow_redirects=False, timeout=60)
        assert r.status_code == 302, r.status_code


def upload_cut_short(stack, hr: HR, body: bytes) -> str:
    """Send the headers and half the file, then kill -9 the web server; what the client saw."""
    token = hr.token("/imports/")
    boundary = uuid.uuid4().hex
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
               f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{FILENAME}\"\r\n"
               f"Content-Type: text/csv\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=30)
    conn.putrequest("POST", "/imports/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(payload)))
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in hr.s.cookies.items()))
    conn.endheaders()
    conn.send(payload[: len(payload) // 2])
    time.sleep(0.5)  # the worker is reading the body
    stack.kill_web()
    try:
        conn.send(payload[len(payload) // 2:])
        return f"response {conn.getresponse().status}"
    except OSError as exc:  # the connection went with the server
        return exc.__class__.__name__
    finally:
        conn.close()


def test_c16_web_killed_mid_upload_and_mid_check_reupload_imports_every_row_once(faults):
    stack = faults.stack
    units = faults.run("d.units()")
    uid = faults.run(f"d.hr_officer('C16HR', {PASSWORD!r})")
    body = staff_csv(units)
    hr = HR(stack.web_url)
    hr.login(uid)

    seen = upload_cut_short(stack, hr, body)  # 1. killed while the file streams in
    assert not seen.startswith("response 3"), seen
    stack.start_web()
    hr.reconnect()
    assert faults.run(f"d.batches_named({FILENAME!r})") == []  # nothing half-recorded

    first = hr.upload(body)  # 2. the file is in; killed while its preview is half checked
    end = time.monotonic() + 120
    while not (0 < (st := hr.status(first))["processed"] < N and st["status"] == "validating"):
        assert st["status"] == "validating" and time.monotonic() < end, st
        time.sleep(0.02)
    stack.kill_web()
    stack.start_web()  # the session is in the database: the officer is still logged in
    hr.reconnect()
    print(f"C-16: web killed with the preview at {st['processed']} of {N} rows")

    second = hr.upload(body)  # 3. HR does not know what happened and uploads the file again
    assert hr.wait(first, ("preview",))["processed"] == N  # the check went on in the worker
    assert hr.wait(second, ("preview",))["processed"] == N
    hr.s.headers["Accept-Language"] = "en"
    page = hr.get(f"/imports/{second}/").text
    assert f"The same file was uploaded before (import #{first})" in page
    hr.commit(second)
    assert hr.wait(second, ("done",))["created"] == N
    hr.commit(first)  # the older preview confirmed as well: nothing is created twice
    done = hr.wait(first, ("done",))
    assert (done["created"], done["updated"], done["failed"]) == (0, 0, 0), done

    batches = {b["pk"]: b for b in faults.run(f"d.batches_named({FILENAME!r})")}
    assert set(batches) == {first, second}
    assert batches[first]["sha256"] == batches[second]["sha256"] != ""
    assert batches[first]["already"] == N and batches[second]["created"] == N, batches
    third = hr.upload(body)  # and the same file once more: every row reported as already imported
    st = hr.wait(third, ("preview",))
    assert faults.run(f"d.batches_named({FILENAME!r})")[-1]["already"] == N, st
    once = faults.run("d.people_once('C16')")
    assert once == {"count": N, "codes": N, "same_person_twice": 0}, once
    assert faults.run("d.wait_applied(240)")["failed"] == 0
    print(f"C-16: client saw {seen} on the cut upload; page reloads after restarts: {hr.reloads}")
    faults.assert_zero_drift_everywhere()
