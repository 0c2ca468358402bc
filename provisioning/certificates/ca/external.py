"""The government CA (Cục Chứng thực số và Bảo mật thông tin): the dossier goes out signed, on
paper or through its portal, and the certificates come back as files (import_certificates)."""

from __future__ import annotations

from provisioning.certificates.ca import NotSupported


class ExternalBatchCA:
    name = "external"
    takes_csr = False  # as IDM_INTERNAL_CA_ADAPTER: the province runs no internal CA, the CSR path is closed

    def issue_batch(self, requests: list) -> list[bytes]:
        return []  # the CA generates the keys on its tokens and answers within 3 working days

    def issue_csr(self, *, public_key, subject, email: str, days: int, dns: str = "") -> bytes:
        raise NotSupported("the government CA generates the key pair itself; it takes no CSR")
