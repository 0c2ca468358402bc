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
    # replication (the scaled stack: two providers in multi-provider mode, one read-only consumer).
    # server_id set: this server takes part; provider: it serves syncrepl (syncprov) and accepts
    # writes; replicate_from: the providers it pulls from (for a provider: its peers).
    server_id: int | None = None
    provider: bool = False
    replicate_from: list[str] = field(default_factory=list)
    replicator_password: str = "change-me-replicator"
    # only one server of a replicated set is loaded with the base tree (slapadd); the others receive
    # it by replication, so that every entry has one entryUUID everywhere
    seed: bool = True
    # production: syncrepl between hosts over TLS, the peer's certificate checked against this CA
    replication_tls_ca: str | None = None
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
    def replicator_dn(self) -> str:
        return f"cn=replicator,ou=services,{self.base_dn}"

    @property
    def replicated(self) -> bool:
        return self.server_id is not None or bool(self.replicate_from)

    @property
    def consumer(self) -> bool:
        """Read-only: pulls from providers, takes no writes (slapd answers a write with 'shadow context')."""
        return bool(self.replicate_from) and not self.provider

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
        # the replication account (syncrepl of the other servers) reads every entry and attribute,
        # hashes included (a replica must let people bind); for everyone else the rules below decide
        *([f'to * by dn.exact="{c.replicator_dn}" read by * break'] if c.replicated else []),
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
    replication = replication_ldif(c)
    overlays = overlays_ldif(c)
    # each optional line ends with its own newline: an empty line would end the LDIF entry
    server_id = f"olcServerID: {c.server_id}\n" if c.server_id is not None else ""
    # lastbind's module on every server, its overlay on all but a read-only consumer (overlays_ldif): the
    # module defines authTimestamp, which the providers' binds write and replicate (the consumer's
    # syncrepl refuses an entry with an unknown attribute: undefinedAttributeType)
    modules = "".join(f"olcModuleLoad: {m}\n" for m in ["lastbind", *(["syncprov"] if c.provider else [])])
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {d}/run/slapd.pid
olcArgsFile: {d}/run/slapd.args
olcLogLevel: none
olcToolThreads: 2
olcDisallows: bind_anon
{server_id}{tls}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULE_PATH}
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: {ARGON2_MODULE}
{modules}
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
olcDbIndex: entryUUID,entryCSN eq
olcLimits: dn.exact="{idm}" size=unlimited time=unlimited
olcLimits: dn.exact="{mail}" size=unlimited time=unlimited
olcLimits: dn.onelevel="{apps}" size.soft=500 size.hard=500 size.pr=500 size.prtotal=unlimited time=60
{replication}{acl_lines}
{overlays}""" + "".join(f"\n{x}\n" for x in c.extra_config)


OVERLAYS = {
    # syncprov first: it must see every change the other overlays make (memberOf, refint)
    "syncprov": """objectClass: olcSyncProvConfig
olcSpCheckpoint: 100 10
olcSpSessionLog: 10000""",
    "memberof": """objectClass: olcMemberOf
olcMemberOfRefInt: TRUE
olcMemberOfDangling: ignore
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf""",
    "refint": """objectClass: olcRefintConfig
olcRefintAttribute: member""",
    "ppolicy": """objectClass: olcPPolicyConfig
olcPPolicyDefault: cn=default,ou=policies,{b}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: FALSE""",
    "lastbind": """objectClass: olcLastBindConfig
olcLastBindPrecision: {lastbind_precision}""",
}


def overlays_ldif(c: SlapdConfig) -> str:
    names = (["syncprov"] if c.provider else []) + ["memberof", "refint", "ppolicy", "lastbind"]
    if c.consumer:
        # memberOf is written by the overlay on the server where the group changed and is not
        # replicated as such: each server computes it from the replicated groups. refint's member
        # clean-up, though, arrives from the provider that made it. No lastbind overlay: a read-only
        # consumer's authTimestamp write would stay local (never replicated), where idm, which reads
        # from the providers, never sees it; binds on the providers are recorded and replicated here
        names = ["memberof", "ppolicy"]
    out = []
    for i, name in enumerate(names):
        out.append(f"dn: olcOverlay={{{i}}}{name},olcDatabase={{1}}mdb,cn=config\nobjectClass: olcOverlayConfig\n"
                   f"olcOverlay: {{{i}}}{name}\n"
                   + OVERLAYS[name].format(b=c.base_dn, lastbind_precision=c.lastbind_precision) + "\n")
    return "\n".join(out)


def replication_ldif(c: SlapdConfig) -> str:
    """The syncrepl stanzas (one per provider pulled from) and the multi-provider switch, as
    attributes of the mdb database. refreshAndPersist: changes stream as they happen; retry every
    second for a minute then every 5 s forever (a provider that was down is caught up on return)."""
    if not c.replicate_from:
        return ""
    lines = []
    for i, url in enumerate(c.replicate_from, start=1):
        lines.append(
            f'olcSyncrepl: {{{i - 1}}}rid={i:03d} provider={url} bindmethod=simple binddn="{c.replicator_dn}" '
            f'credentials="{c.replicator_password}" searchbase="{c.base_dn}" type=refreshAndPersist '
            'retry="1 60 5 +" timeout=3 network-timeout=3 keepalive=60:3:10 schemachecking=on'
            + (f" tls_reqcert=demand tls_cacert={c.replication_tls_ca}" + (" starttls=critical"
               if url.startswith("ldap://") else "") if c.replication_tls_ca else ""))
    if c.provider:
        lines.append("olcMultiProvider: TRUE")
    lines.append(f'olcLimits: dn.exact="{c.replicator_dn}" size=unlimited time=unlimited')
    return "\n".join(lines) + "\n"


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
    accounts = [("idm", c.idm_password, "idm service: writes people, units and groups"),
                ("mail", c.mail_password, "mail server: reads mail attributes of people")]
    if c.replicated:
        accounts.append(("replicator", c.replicator_password, "syncrepl between the directory servers: reads all"))
    for cn, pw, desc in accounts:
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
    if not c.seed:
        return  # a replica: the base tree arrives by syncrepl
    if not (d / "data" / "data.mdb").exists() or (d / "data" / "data.mdb").stat().st_size == 0 \
            or not (d / "data" / ".loaded").exists():
        base = d / "base.ldif"
        base.write_text(base_ldif(c), encoding="utf-8")
        base.chmod(0o600)
        # -S: the entryCSNs of the base tree carry this server's id (multi-provider needs them)
        sid = ["-S", str(c.server_id)] if c.server_id is not None else []
        _run(["slapadd", "-q", "-n1", *sid, "-F", str(d / "slapd.d"), "-l", str(base)])
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




# ---------------------------------------------------------------- a replicated set


def replicated_set(root: str, *, providers: int = 2, consumers: int = 1, ports: list[int] | None = None,
                   **common) -> list[SlapdConfig]:
    """Configurations for `providers` slapd in multi-provider (N-way) replication, each pulling
    from every other, and `consumers` read-only replicas pulling from every provider. The first
    provider is loaded with the base tree; the others get it by syncrepl. Same repo files (schema,
    ACLs, overlays) as the single slapd; `common` as for SlapdConfig (passwords, nosync...)."""
    ports = list(ports or [free_port() for _ in range(providers + consumers)])
    urls = [f"ldap://{common.get('host', '127.0.0.1')}:{p}" for p in ports]
    out = []
    for i in range(providers + consumers):
        is_provider = i < providers
        pulls = [u for j, u in enumerate(urls[:providers]) if j != i]
        name = f"provider{i + 1}" if is_provider else f"consumer{i - providers + 1}"
        out.append(SlapdConfig(directory=str(Path(root) / name), port=ports[i], server_id=i + 1,
                               provider=is_provider, replicate_from=pulls, seed=(i == 0), **common))
    return out


def context_csns(c: SlapdConfig) -> set[str]:
    """The contextCSN values of the suffix: one per server id whose changes this server holds;
    equal sets on every server = replication has caught up."""
    try:
        entries = admin.dump(c.url, c.root_dn, c.root_password, c.base_dn, attributes=("contextCSN",))
    except Exception:  # not up yet, or empty (a replica before its first refresh)
        return set()
    return set(entries.get(c.base_dn, {}).get("contextCSN", []))


def wait_in_sync(configs: list[SlapdConfig], *, timeout: float = 60.0) -> float:
    """Wait until every server has the same, non-empty contextCSN set; returns the seconds waited."""
    t0 = time.monotonic()
    while True:
        csns = [context_csns(c) for c in configs]
        if csns[0] and all(x == csns[0] for x in csns):
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"replicas not in sync after {timeout} s: {csns}")
        time.sleep(0.05)


def slapcat(c: SlapdConfig) -> str:
    """The database as slapcat prints it (offline-safe read of the mdb: slapcat runs beside slapd)."""
    p = subprocess.run(["slapcat", "-n1", "-F", str(Path(c.directory) / "slapd.d")], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"slapcat failed: {p.stderr.strip()}")
    return p.stdout


def replication_change_ldif(c: SlapdConfig) -> str:
    """The same replication as replicated_set() starts, as an ldapmodify file for a server that
    already runs idm's configuration (config_ldif): what deploy/replication/ holds for production
    hosts. The replicator's entry itself is added once, on the first provider (see the README there)."""
    b = c.base_dn
    parts = [f"# {'provider' if c.provider else 'read-only consumer'} (serverID {c.server_id})\n"
             f"# generated by scripts/dev/replication_examples.py from scripts/dev/slapd.py: do not edit\n"
             f"dn: cn=config\nchangetype: modify\nreplace: olcServerID\nolcServerID: {c.server_id}\n"]
    if c.provider:
        parts.append("dn: cn=module{0},cn=config\nchangetype: modify\nadd: olcModuleLoad\nolcModuleLoad: syncprov\n")
        parts.append("dn: olcOverlay=syncprov,olcDatabase={1}mdb,cn=config\nchangetype: add\n"
                     "objectClass: olcOverlayConfig\nolcOverlay: syncprov\n" + OVERLAYS["syncprov"] + "\n")
    lines = replication_ldif(c).splitlines()
    stanzas = [x.split(": ", 1)[1] for x in lines if x.startswith("olcSyncrepl: ")]
    mods = ["add: olcSyncrepl\n" + "".join(f"olcSyncrepl: {v}\n" for v in stanzas)]
    if c.provider:
        mods.append("add: olcMultiProvider\nolcMultiProvider: TRUE\n")
    mods.append("add: olcDbIndex\nolcDbIndex: entryCSN eq\n")
    mods.append(f'add: olcLimits\nolcLimits: dn.exact="{c.replicator_dn}" size=unlimited time=unlimited\n')
    mods.append(f'add: olcAccess\nolcAccess: {{0}}to * by dn.exact="{c.replicator_dn}" read by * break\n')
    parts.append("dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\n" + "-\n".join(mods))
    if c.consumer:
        parts.append("# A consumer computes memberOf from the replicated groups itself, but refint's clean-up\n"
                     "# arrives from the providers: switch refint off here (the scaled stack has none there)\n"
                     "dn: olcOverlay={1}refint,olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
                     "replace: olcDisabled\nolcDisabled: TRUE\n")
        parts.append("# No lastbind on a read-only consumer: its authTimestamp would stay here, never replicated,\n"
                     "# while idm reads when an application last bound from the providers\n"
                     "dn: olcOverlay={3}lastbind,olcDatabase={1}mdb,cn=config\nchangetype: modify\n"
                     "replace: olcDisabled\nolcDisabled: TRUE\n")
    del b
    return "\n".join(parts)
