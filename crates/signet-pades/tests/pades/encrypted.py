"""pyHanko as the referee for encrypted PDFs (issue 11 §1), run by encrypted.rs.

sign IN OUT KEY CERT FIELD PASSWORD [--visible]
    Adds a signature (a new field) to an encrypted PDF with pyHanko, authenticating with
    PASSWORD (the owner password: pyHanko writes into the file encrypted with its key).
validate IN PASSWORD CERT
    One JSON line per signature: pyHanko's verdicts (intact, valid, coverage, modifications).
"""
import json
import sys

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder


def sign(inp, out, key, cert, field, password, visible):
    signer = signers.SimpleSigner.load(key, cert)
    with open(inp, "rb") as f:
        w = IncrementalPdfFileWriter(f)
        if w.prev.encrypted:
            w.encrypt(password)
        box = (40, 40, 240, 100) if visible else None
        spec = fields.SigFieldSpec(field, box=box)
        meta = signers.PdfSignatureMetadata(field_name=field)
        with open(out, "wb") as o:
            signers.sign_pdf(w, meta, signer=signer, new_field_spec=spec, output=o)


def validate(inp, password, cert):
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(cert)], allow_fetching=False)
    with open(inp, "rb") as f:
        r = PdfFileReader(f)
        if r.encrypted:
            r.decrypt(password)
        for s in r.embedded_signatures:
            st = validate_pdf_signature(s, vc)
            print(json.dumps({
                "field": s.field_name,
                "intact": bool(st.intact),
                "valid": bool(st.valid),
                "coverage": st.coverage.name,
                "modifications": st.modification_level.name if st.modification_level else None,
            }))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sign":
        sign(*args[:6], visible="--visible" in args)
    elif cmd == "validate":
        validate(*args)
    else:
        sys.exit(f"unknown command {cmd}")
