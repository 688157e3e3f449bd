"""Certificates: eligibility, frozen issue, reissue and revocation, verification, PDFs."""
