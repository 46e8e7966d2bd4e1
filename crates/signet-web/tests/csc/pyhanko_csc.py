"""pyHanko's own CSC client signs a PDF through Signet's CSC server, then pyHanko validates it.

Usage: pyhanko_csc.py BASE_URL USERNAME PASSWORD PIN IN.pdf OUT.pdf ROOT.pem

Authorization is by the credential's PIN for exactly the hashes pyHanko is about to sign
(SCAL2): a CSCAuthorizationManager that calls credentials/authorize with them. Prints the
validation summary; exits non-zero when signing or validation fails.
"""

import asyncio
import sys

import aiohttp
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


class PinAuthorization(CSCAuthorizationManager):
    """A SAD for exactly the hashes to sign, by PIN."""

    def __init__(self, session_info, credential_info, session, pin):
        super().__init__(session_info, credential_info)
        self.session = session
        self.pin = pin

    async def authorize_signature(self, hash_b64s):
        req = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(
            url, headers=self.auth_headers, json=req, raise_for_status=True
        ) as response:
            return self.parse_csc_auth_response(await response.json())


async def sign(base, username, password, pin, src, dst):
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/csc/v1/auth/login",
            auth=aiohttp.BasicAuth(username, password),
            raise_for_status=True,
        ) as response:
            token = (await response.json())["access_token"]
        async with session.post(
            f"{base}/csc/v1/credentials/list",
            headers={"Authorization": f"Bearer {token}"},
            json={},
            raise_for_status=True,
        ) as response:
            credential_id = (await response.json())["credentialIDs"][0]
        info = CSCServiceSessionInfo(base, credential_id, oauth_token=token, api_ver="v1")
        credential = await fetch_certs_in_csc_credential(session, info)
        assert credential.hash_pinning_required, "SCAL 2"
        signer = CSCSigner(session, PinAuthorization(info, credential, session, pin))
        with open(src, "rb") as inf, open(dst, "wb") as outf:
            writer = IncrementalPdfFileWriter(inf)
            meta = signers.PdfSignatureMetadata(field_name="Signature1")
            await signers.PdfSigner(meta, signer=signer).async_sign_pdf(writer, output=outf)


def validate(path, root_pem):
    root = load_cert_from_pemder(root_pem)
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    with open(path, "rb") as f:
        reader = PdfFileReader(f)
        status = validate_pdf_signature(reader.embedded_signatures[0], context)
        print(status.pretty_print_details())
        return status.intact and status.valid and status.trusted


def main():
    base, username, password, pin, src, dst, root_pem = sys.argv[1:8]
    asyncio.run(sign(base, username, password, pin, src, dst))
    if not validate(dst, root_pem):
        print("VALIDATION FAILED")
        sys.exit(1)
    print("VALID")


if __name__ == "__main__":
    main()
