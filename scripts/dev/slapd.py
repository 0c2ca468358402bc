"""A private slapd for development and tests, built from files in this repository.

cn=config is generated fresh on every start (it is cheap: well under 0.1 s) from the schema files
next to this module; the mdb data under `<dir>/data` is kept between starts, and the base tree is
loaded only into an empty database. Listens on loopback only.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from directory import admin
from directory.passwords import MEMORY_KIB, PARALLELISM, TIME_COST, hash_password
from scripts.dev import ports

# slapd's argon2 module with the application's parameters (directory/passwords.py): a value slapd hashes
# itself (a cleartext userPassword, ppolicy's olcPPolicyHashCleartext) is made exactly like idm's
ARGON2_MODULE = f"argon2 m={MEMORY_KIB} t={TIME_COST} p={PARALLELISM}"

HERE = Path(__file__).resolve().parent
# the schema ships with the product (directory/schema/); only this launcher is development-only
SCHEMA_DIR = HERE.parent.parent / "directory" / "schema"
SYSTEM_SCHEMA = Path("/etc/ldap/schema")
MODULE_PATH = "/usr/lib/ldap"


@dataclass
class SlapdConfig:
    directory: str
    port: int
    base_dn: str = "dc=quangtri,dc=gov,dc=vn"
    organisation: str = "Ủy ban nhân dân tỉnh Quảng Trị"
    root_password: str = "change-me-root"
    idm_password: str = "change-me-idm"
    mail_password: str = "change-me-mail"
    password_min_length: int = 15
    nosync: bool = False
    host: str = "127.0.0.1"
    ldaps_port: int | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    extra_config: list[str] = field(default_factory=list)
    # lastbind writes authTimestamp at a successful bind when the stored one is older than this: every
    # person's bind (web, IMAP) would otherwise be a write; "when did this application last bind" to
    # the hour is what idm shows
    lastbind_precision: int = 3600

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    @property
    def ldaps_url(self) -> str | None:
        return f"ldaps://{self.host}:{self.ldaps_port}" if self.ldaps_port else None

    @property
    def root_dn(self) -> str:
        return f"cn=admin,{self.base_dn}"

    @property
    def config_dn(self) -> str:
        return "cn=admin,cn=config"

    @property
    def idm_dn(self) -> str:
        return f"cn=idm,ou=services,{self.base_dn}"

    @property
    def mail_dn(self) -> str:
        return f"cn=mail,ou=services,{self.base_dn}"

    @property
    def applications_dn(self) -> str:
        return f"ou=applications,ou=services,{self.base_dn}"


def _ldif_value(name: str, value: str) -> str:
    """One LDIF line; non-ASCII or unsafe values are base64 encoded (RFC 2849)."""
    import base64

    if value.isascii() and not value.startswith((" ", ":", "<")) and "\n" not in value and not value.endswith(" "):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def config_ldif(c: SlapdConfig) -> str:
    d = Path(c.directory)
    root_hash = hash_password(c.root_password)
    idm, mail, b, apps = c.idm_dn, c.mail_dn, c.base_dn, c.applications_dn
    tls = ""
    if c.tls_cert:
        tls = (f"olcTLSCertificateFile: {c.tls_cert}\nolcTLSCertificateKeyFile: {c.tls_key}\n"
               f"olcTLSCACertificateFile: {c.tls_ca}\nolcTLSProtocolMin: 3.3\n")
    p, u, g = f"ou=people,{b}", f"ou=units,{b}", f"ou=groups,{b}"
    app = f'dn.onelevel="{apps}"'  # the bind accounts of other government systems (provisioning/applications)
    # An application's scope is one unit (seeAlso on its entry). A unit is in it when the scope is the
    # unit or one of its ancestors (this/-*: the entry and every DN above it); a person or a group when
    # the unit whose code they carry (vnOrgUnitCode, ou) is. The code is turned into the unit's DN by
    # an internal search (rootdn, indexed on vnOrgUnitCode; unit codes are [A-Za-z0-9._-], nothing a
    # URL or a filter would read as syntax). The dn clause comes first in each "by", so slapd evaluates
    # the set (and its search) for application accounts only, never for people, idm or the mail server.
    def in_scope(code_attr: str) -> str:
        return f"([ldap:///{u}??sub?(vnOrgUnitCode=] + this/{code_attr} + [)])/entryDN/-* & user/seeAlso"

    # ACL order matters: slapd uses the first rule whose "to" matches, then the first matching "by".
    acls = [
        # People bind with their password but never write it themselves: a write straight to slapd
        # (ldappasswd, ldapmodify) would skip idm's policy (length, blocklist, history, the second
        # decomposed-form hash), so every change goes through idm, which first proves the current
        # password by binding as the person (PW-12) and then writes as cn=idm. idm may write hashes but
        # never read or compare them; nobody reads hashes.
        f'to dn.subtree="ou=people,{b}" attrs=userPassword by dn.exact="{idm}" =w '
        'by anonymous auth by * none',
        # an application's secret, likewise: idm writes its hash, the application binds with it
        f'to dn.subtree="{apps}" attrs=userPassword by dn.exact="{idm}" =w by anonymous auth by * none',
        "to attrs=userPassword by anonymous auth by * none",
        # Applications read the people, units and groups of their scope, and of those only these
        # attributes: names, position, unit, official address, status, memberships; never a hash, a
        # certificate or anything personal (any attribute not listed here falls to the rules below,
        # which give applications nothing). Group members are read from people's memberOf (so in
        # scope only), never from a group's member list, which may name people outside the scope.
        f'to dn.subtree="{p}" attrs=entry,objectClass,uid,cn,sn,givenName,vnMiddleName,displayName,'
        'employeeNumber,employeeType,title,departmentNumber,vnOrgUnitCode,vnAccountStatus,mail,mailAlias,'
        f'memberOf,preferredLanguage by {app} set="{in_scope("vnOrgUnitCode")}" read by * break',
        f'to dn.subtree="{u}" attrs=entry,objectClass,ou,vnOrgUnitCode,vnUnitName,vnUnitKind,vnMailDomain,'
        f'description by {app} set="this/-* & user/seeAlso" read by * break',
        f'to dn.subtree="{g}" attrs=entry,objectClass,cn,description,mail,ou '
        f'by {app} set="{in_scope("ou")}" read by * break',
        # a search needs "search" on its base entry: the branches themselves, but nothing in them
        *(f'to dn.base="{branch}" attrs=entry by {app} search by * break' for branch in (p, u, g)),
        # the mail server reads the mail attributes of people, and nothing else
        f'to dn.subtree="ou=people,{b}" attrs=entry,objectClass,uid,mail,mailAlias,mailEnabled,mailQuota,'
        f'mailHomeDirectory,mailStorageDirectory,vnAccountStatus,memberOf by dn.exact="{idm}" write '
        f'by dn.exact="{mail}" read by {app} none by users read by * none',
        f'to dn.subtree="ou=people,{b}" by dn.exact="{idm}" write by dn.exact="{mail}" none '
        f'by {app} none by self read by users read by * none',
        f'to dn.subtree="ou=mailboxes,{b}" attrs=entry,objectClass,uid,mail,mailAlias,mailEnabled,mailQuota,'
        f'vnAccountStatus by dn.exact="{idm}" write by dn.exact="{mail}" read by {app} none by users read '
        'by * none',
        f'to dn.subtree="ou=mailboxes,{b}" by dn.exact="{idm}" write by dn.exact="{mail}" none '
        f'by {app} none by users read by * none',
        f'to dn.subtree="ou=units,{b}" by dn.exact="{idm}" write by dn.exact="{mail}" none '
        f'by {app} none by users read by * none',
        f'to dn.subtree="ou=groups,{b}" attrs=entry,objectClass,cn,mail,mailAlias,mailEnabled,member '
        f'by dn.exact="{idm}" write by dn.exact="{mail}" read by {app} none by users read by * none',
        f'to dn.subtree="ou=groups,{b}" by dn.exact="{idm}" write by dn.exact="{mail}" none '
        f'by {app} none by users read by * none',
        f'to dn.subtree="ou=policies,{b}" by dn.exact="{idm}" read by * none',
        # idm creates, rotates and removes application accounts (and their branch), and reads when
        # each last bound (authTimestamp); never its own account or the mail server's
        f'to dn.base="ou=services,{b}" attrs=children by dn.exact="{idm}" write by * none',
        f'to dn.subtree="{apps}" by dn.exact="{idm}" write by self read by * none',
        f'to dn.subtree="ou=services,{b}" by self read by * none',
        f'to dn.base="{b}" by {app} none by users read by * none',
        "to * by * none",
    ]
    acl_lines = "".join(f"olcAccess: {{{i}}}{a}\n" for i, a in enumerate(acls))
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {d}/run/slapd.pid
olcArgsFile: {d}/run/slapd.args
olcLogLevel: none
olcToolThreads: 2
olcDisallows: bind_anon
{tls}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULE_PATH}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: {ARGON2_MODULE}
olcModuleLoad: lastbind

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://{SYSTEM_SCHEMA}/core.ldif
include: file://{SYSTEM_SCHEMA}/cosine.ldif
include: file://{SYSTEM_SCHEMA}/nis.ldif
include: file://{SYSTEM_SCHEMA}/inetorgperson.ldif
include: file://{SCHEMA_DIR}/postfix-book.ldif
include: file://{SCHEMA_DIR}/idm.ldif

dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcPasswordHash: {{ARGON2}}
olcSizeLimit: 500
olcAccess: {{0}}to dn.exact="" by users read by * none
olcAccess: {{1}}to dn.base="cn=Subschema" by users read by * none

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcRootDN: {c.config_dn}
olcRootPW: {root_hash}

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {b}
olcDbDirectory: {d}/data
olcRootDN: {c.root_dn}
olcRootPW: {root_hash}
olcDbMaxSize: 10737418240
olcDbNoSync: {"TRUE" if c.nosync else "FALSE"}
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,mailAlias eq,sub
olcDbIndex: cn,sn,givenName,displayName eq,sub
olcDbIndex: member,memberOf eq
olcDbIndex: employeeNumber,vnOrgUnitCode,vnAccountStatus eq
olcDbIndex: entryUUID eq
olcLimits: dn.exact="{idm}" size=unlimited time=unlimited
olcLimits: dn.exact="{mail}" size=unlimited time=unlimited
olcLimits: dn.onelevel="{apps}" size.soft=500 size.hard=500 size.pr=500 size.prtotal=unlimited time=60
{acl_lines}
dn: olcOverlay={{0}}memberof,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {{0}}memberof
olcMemberOfRefInt: TRUE
olcMemberOfDangling: ignore
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf

dn: olcOverlay={{1}}refint,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {{1}}refint
olcRefintAttribute: member

dn: olcOverlay={{2}}ppolicy,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{2}}ppolicy
olcPPolicyDefault: cn=default,ou=policies,{b}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: FALSE

dn: olcOverlay={{3}}lastbind,olcDatabase={{1}}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcLastBindConfig
olcOverlay: {{3}}lastbind
olcLastBindPrecision: {c.lastbind_precision}
""" + "".join(f"\n{x}\n" for x in c.extra_config)


def base_ldif(c: SlapdConfig) -> str:
    b = c.base_dn
    first_dc = b.split(",")[0].split("=", 1)[1]
    entries = [
        [f"dn: {b}", "objectClass: dcObject", "objectClass: organization", f"dc: {first_dc}",
         _ldif_value("o", c.organisation)],
    ]
    for ou in CONTAINERS:
        entries.append([f"dn: ou={ou},{b}", "objectClass: organizationalUnit", f"ou: {ou}"])
    # PW-09: no pwdMaxAge (no periodic expiry). Lockout is the application's job (AU-02: an
    # attacker must not be able to lock 5,000 civil servants out), so pwdLockout is off.
    entries.append([
        f"dn: cn=default,ou=policies,{b}", "objectClass: organizationalRole", "objectClass: pwdPolicy",
        "cn: default", "pwdAttribute: userPassword", f"pwdMinLength: {c.password_min_length}",
        "pwdCheckQuality: 1", "pwdInHistory: 0", "pwdLockout: FALSE", "pwdAllowUserChange: FALSE",
        "pwdMustChange: FALSE",
    ])
    for cn, pw, desc in (("idm", c.idm_password, "idm service: writes people, units and groups"),
                         ("mail", c.mail_password, "mail server: reads mail attributes of people")):
        entries.append([f"dn: cn={cn},ou=services,{b}", "objectClass: organizationalRole",
                        "objectClass: simpleSecurityObject", f"cn: {cn}", f"description: {desc}",
                        f"userPassword: {hash_password(pw)}"])
    # the other government systems' accounts, which idm creates (provisioning/applications)
    entries.append([f"dn: {c.applications_dn}", "objectClass: organizationalUnit", "ou: applications"])
    return "\n\n".join("\n".join(e) for e in entries) + "\n"


def prepare(c: SlapdConfig) -> None:
    """Write a fresh cn=config; load the base tree if the database is empty."""
    d = Path(c.directory)
    for sub in ("data", "run"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    shutil.rmtree(d / "slapd.d", ignore_errors=True)
    (d / "slapd.d").mkdir()
    conf = d / "config.ldif"
    conf.write_text(config_ldif(c), encoding="utf-8")
    conf.chmod(0o600)
    _run(["slapadd", "-n0", "-F", str(d / "slapd.d"), "-l", str(conf)])
    if not (d / "data" / "data.mdb").exists() or (d / "data" / "data.mdb").stat().st_size == 0 \
            or not (d / "data" / ".loaded").exists():
        base = d / "base.ldif"
        base.write_text(base_ldif(c), encoding="utf-8")
        base.chmod(0o600)
        _run(["slapadd", "-q", "-n1", "-F", str(d / "slapd.d"), "-l", str(base)])
        (d / "data" / ".loaded").write_text("base tree loaded\n")
        (d / "data" / ".containers").write_text("\n".join(CONTAINERS) + "\n")
    _add_new_containers(c)


CONTAINERS = ("people", "mailboxes", "units", "groups", "services", "policies")


def _add_new_containers(c: SlapdConfig) -> None:
    """A data directory made by an older version gets the branches added since (offline)."""
    d = Path(c.directory)
    marker = d / "data" / ".containers"
    have = set(marker.read_text().split()) if marker.exists() else {"people", "units", "groups", "services",
                                                                      "policies"}
    def exists(ou: str) -> bool:  # (slapcat -s crashes in 2.5.13; a filter works)
        out = subprocess.run(["slapcat", "-n1", "-F", str(d / "slapd.d"), "-a", f"(ou={ou})"],
                             capture_output=True, text=True).stdout
        return f"dn: ou={ou},{c.base_dn}".lower() in out.lower()

    missing = [ou for ou in CONTAINERS if ou not in have and not exists(ou)]
    if missing:
        extra = d / "containers.ldif"
        extra.write_text("\n\n".join(f"dn: ou={ou},{c.base_dn}\nobjectClass: organizationalUnit\nou: {ou}"
                                       for ou in missing) + "\n", encoding="utf-8")
        _run(["slapadd", "-q", "-n1", "-F", str(d / "slapd.d"), "-l", str(extra)])
    marker.write_text("\n".join(CONTAINERS) + "\n")


def _run(cmd: list[str]) -> None:
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed: {p.stderr.strip() or p.stdout.strip()}")


def start(c: SlapdConfig, *, timeout: float = 15.0) -> subprocess.Popen:
    """Start slapd in the foreground as a child process and wait until the rootdn can bind."""
    urls = [c.url + "/"] + ([c.ldaps_url + "/"] if c.ldaps_url else [])
    log = open(Path(c.directory) / "slapd.log", "ab")
    proc = subprocess.Popen(["slapd", "-d", "0", "-h", " ".join(urls), "-F", str(Path(c.directory) / "slapd.d")],
                            stdout=log, stderr=log, start_new_session=True)
    wait_ready(c, proc, timeout=timeout)
    return proc


def wait_ready(c: SlapdConfig, proc: subprocess.Popen | None = None, *, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"slapd exited with status {proc.returncode}; see {c.directory}/slapd.log")
        if admin.answers(c.url, c.root_dn, c.root_password):
            return
        time.sleep(0.02)
    raise TimeoutError(f"slapd did not answer on {c.url} within {timeout} s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGCONT)  # a paused slapd cannot handle SIGTERM
        except ProcessLookupError:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def free_port() -> int:
    return ports.free_port()


def temporary(**kwargs) -> SlapdConfig:
    d = tempfile.mkdtemp(prefix="idm-slapd-")
    return SlapdConfig(directory=d, port=kwargs.pop("port", None) or free_port(), **kwargs)


