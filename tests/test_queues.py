"""Where each task goes: directory changes on their own queues, long work on `bulk` (idm/queues.py),
and `make run` and the systemd units start the same workers for them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from idm import queues
from idm.celery import app
from scripts.dev import workers

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {
    "outbox.apply_directory_changes": "directory",
    "outbox.sweep_directory_changes": "directory",
    "selfservice.send_activation_email": "directory",
    "outbox.apply_bulk_directory_changes": "directory_bulk",
    "imports.validate": "bulk",
    "imports.commit": "bulk",
    "mailboxes.collect_mail_usage": "bulk",
    "mailboxes.create_mail_stores": "directory_bulk",
    "mailboxes.sweep_mail_stores": "celery",
    "people.remove_expired_mailboxes": "celery",
    "accounts.recovery.send_code": "directory",
    "accounts.recovery.send_username": "directory",
    "accounts.send_contact_code": "directory",
    "accounts.notify": "directory",
    "reports.build_snapshot": "bulk",
    "reorg.apply_due_plans": "bulk",
    "reorg.expire_old_addresses": "celery",
    "imports.purge_uploads": "celery",
    "audit.expire_old_entries": "celery",
    "certificates.expiry": "celery",
    "certificates.notify_requester": "celery",
}


def ours() -> set[str]:
    app.loader.import_default_modules()  # the autodiscovered tasks modules
    return {name for name in app.tasks if not name.startswith("celery.")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_task_is_published_to_its_queue(name):
    assert app.amqp.router.route({}, name)["queue"].name == EXPECTED[name]


def test_every_task_we_register_chose_its_queue():
    assert ours() == set(EXPECTED) == set(queues.ROUTES)


def test_every_queue_has_a_worker_and_directory_changes_have_their_own():
    consumed = [q for names in queues.WORKERS.values() for q in names]
    assert set(queues.ROUTES.values()) <= set(consumed)
    assert len(consumed) == len(set(consumed)), "a queue consumed by two kinds of worker"
    # the interactive directory worker runs nothing that can take long
    assert queues.WORKERS["directory"] == ["directory"]
    assert queues.WORKERS["bulk"][0] == "directory_bulk"  # an import's changes before the next import


def test_workers_take_their_first_queue_first():
    from django.conf import settings

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "priority"


def queues_of(argv: list[str]) -> list[str]:
    return argv[argv.index("-Q") + 1].split(",")


def test_make_run_starts_one_process_per_worker_with_one_beat(tmp_path):
    cmds = workers.commands(tmp_path)
    assert {name: queues_of(cmd) for name, cmd in cmds} == queues.WORKERS
    assert sum("-B" in cmd for _name, cmd in cmds) == 1


def test_the_systemd_units_start_the_same_workers():
    found = {}
    for unit in sorted((ROOT / "deploy" / "systemd").glob("idm-worker-*.service")):
        line = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE).group(1)
        argv = shlex.split(line)
        assert "-B" not in argv and "beat" not in argv  # idm-beat is the one beat
        found[unit.stem.removeprefix("idm-worker-")] = queues_of(argv)
    assert found == queues.WORKERS
    assert not (ROOT / "deploy" / "systemd" / "idm-worker.service").exists()
