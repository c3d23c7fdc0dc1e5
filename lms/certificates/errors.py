"""Why a certificate was not issued: the message is meant for the person who asked."""

from __future__ import annotations


class CertificateRefused(Exception):
    """Issuing, reissuing or revoking is not possible now; ``str()`` says why, in Chinese."""
