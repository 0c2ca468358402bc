"""Certification authorities idm can hand requests to. An adapter is small: it issues what it can
for a batch now (the local CA) or nothing (the government CA answers later, with files that
import_certificates reads), and issues from a checked CSR if it is an internal CA. A third CA (a
REST CA) is one new module and one line in ADAPTERS."""

from __future__ import annotations

from typing import Protocol

from cryptography import x509
from django.conf import settings


class NotSupported(Exception):
    """This CA does not take requests this way (the government CA takes no CSR)."""


class CertificateAuthority(Protocol):
    name: str
    takes_csr: bool  # whether issue_csr works: the CSR path is open only with such an internal CA

    def issue_batch(self, requests: list) -> list[bytes]:
        """DER certificates issued now for these requests of a sent batch ([] if the CA answers later)."""

    def issue_csr(self, *, public_key, subject: x509.Name, email: str, days: int, dns: str = "") -> bytes:
        """A DER certificate for a key whose CSR the RA checked; subject, email and DNS name come from the RA."""


def adapter_named(name: str) -> CertificateAuthority:
    """A fixed table of adapters, never a class named by input (IN-06)."""
    from provisioning.certificates.ca import external, local

    adapters = {"external": external.ExternalBatchCA, "local": local.LocalCA}
    return adapters[name]()


def internal_ca_open() -> bool:
    """Whether people may upload a CSR: IDM_INTERNAL_CA_ADAPTER names a CA that issues from one."""
    return adapter_named(settings.IDM_INTERNAL_CA_ADAPTER).takes_csr


def adapter() -> CertificateAuthority:
    """The CA that batches go to (settings.IDM_CA_ADAPTER)."""
    return adapter_named(settings.IDM_CA_ADAPTER)
