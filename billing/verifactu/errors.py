"""Kept for the old import path: the VERI*FACTU errors live in ``billing.errors``."""

from billing.errors import (
    AgencyUnavailable,
    CertificateProblem,
    ChainBroken,
    InvalidBuyerTaxId,
    InvalidIssuer,
    NotAnnullable,
    VerifactuError,
)

__all__ = [
    "AgencyUnavailable",
    "CertificateProblem",
    "ChainBroken",
    "InvalidBuyerTaxId",
    "InvalidIssuer",
    "NotAnnullable",
    "VerifactuError",
]
