"""Drive the reference mock with the real Microsoft Graph beta Python SDK (kiota).

Not part of the test suite (it needs the SDK from PyPI); run by hand:

    python3 -m venv /tmp/kiota && /tmp/kiota/bin/pip install msgraph-beta-sdk
    cargo run -- serve --bind 127.0.0.1:8085 &
    /tmp/kiota/bin/python examples/msgraph_beta_sdk.py http://127.0.0.1:8085

It goes through every documented operation the SDK exposes, plus paging, $select,
$filter, $count and the keys_v2 collection, and prints one line per step; it exits 1 at
the first step that fails.
"""

import asyncio
import base64
import pathlib
import sys
import time

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.models.trust_framework_key import TrustFrameworkKey
from msgraph_beta.generated.models.trust_framework_key_set import TrustFrameworkKeySet
from msgraph_beta.generated.models.trust_framework_key_status import TrustFrameworkKeyStatus
from msgraph_beta.generated.trust_framework.key_sets.item.generate_key.generate_key_post_request_body import (
    GenerateKeyPostRequestBody,
)
from msgraph_beta.generated.trust_framework.key_sets.item.keys_v2.keys_v2_request_builder import (
    Keys_v2RequestBuilder,
)
from msgraph_beta.generated.trust_framework.key_sets.item.upload_certificate.upload_certificate_post_request_body import (
    UploadCertificatePostRequestBody,
)
from msgraph_beta.generated.trust_framework.key_sets.item.upload_pkcs12.upload_pkcs12_post_request_body import (
    UploadPkcs12PostRequestBody,
)
from msgraph_beta.generated.trust_framework.key_sets.item.upload_secret.upload_secret_post_request_body import (
    UploadSecretPostRequestBody,
)
from msgraph_beta.generated.trust_framework.key_sets.key_sets_request_builder import (
    KeySetsRequestBuilder,
)

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"


class AnyToken(AccessTokenProvider):
    """The mock accepts any bearer token; allow the loopback host."""

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return "kiota-test-token"

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def step(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    if not ok:
        sys.exit(1)


async def main(base):
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(AnyToken()))
    adapter.base_url = base.rstrip("/") + "/beta"
    client = GraphServiceClient(request_adapter=adapter)
    sets = client.trust_framework.key_sets
    suffix = str(int(time.time() * 1000))

    created = await sets.post(TrustFrameworkKeySet(id=f"kiota{suffix}"))
    step("create key set", created.id == f"B2C_1A_kiota{suffix}", created.id)
    other = await sets.post(TrustFrameworkKeySet(id=f"kiota{suffix}b"))
    one = sets.by_trust_framework_key_set_id(created.id)

    got = await one.get()
    step("get key set", got.id == created.id)

    now = int(time.time())
    rsa = await one.generate_key.post(
        GenerateKeyPostRequestBody(use="sig", kty="RSA", nbf=now - 60, exp=now + 3600)
    )
    step("generateKey RSA", rsa.kty == "RSA" and rsa.n and rsa.d is None, rsa.kid)
    secret = await one.upload_secret.post(
        UploadSecretPostRequestBody(use="enc", k="kiota-secret", nbf=now - 120, exp=now + 3600)
    )
    step("uploadSecret", secret.kty == "oct" and secret.k is None, secret.kid)
    cert = base64.b64encode((DATA / "cert.der").read_bytes()).decode()
    uploaded = await one.upload_certificate.post(UploadCertificatePostRequestBody(key=cert))
    step("uploadCertificate", bool(uploaded.x5t), uploaded.x5t)
    p12 = base64.b64encode((DATA / "aes.p12").read_bytes()).decode()
    opened = await sets.by_trust_framework_key_set_id(other.id).upload_pkcs12.post(
        UploadPkcs12PostRequestBody(key=p12, password="exemplar-test")
    )
    step("uploadPkcs12", bool(opened.x5t), opened.x5t)

    active = await one.get_active_key.get()
    step("getActiveKey() (function call form)", active is not None and active.kid, active.kid)

    keys = await one.keys_v2.get()
    statuses = [k.status for k in keys.value]
    step("keys_v2 collection", len(keys.value) == 3, str(statuses))
    key = await one.keys_v2.by_trust_framework_key_v2_kid(rsa.kid).get()
    step("keys_v2/{kid}", key.kid == rsa.kid and key.status == TrustFrameworkKeyStatus.Enabled)

    selected = await one.keys_v2.get(
        RequestConfiguration(
            query_parameters=Keys_v2RequestBuilder.Keys_v2RequestBuilderGetQueryParameters(
                select=["kid", "status"], filter="use eq 'enc'", count=True
            )
        )
    )
    step(
        "keys_v2 $select/$filter/$count",
        selected.odata_count == 1 and selected.value[0].use is None,
        f"count {selected.odata_count}",
    )

    patched = await one.patch(
        TrustFrameworkKeySet(keys=[TrustFrameworkKey(kty="oct", use="sig", k="bmV3")])
    )
    step("PATCH key set", patched is None or len(patched.keys) == 1)

    for i in range(5):
        await sets.post(TrustFrameworkKeySet(id=f"kiota{suffix}p{i}"))
    config = RequestConfiguration(
        query_parameters=KeySetsRequestBuilder.KeySetsRequestBuilderGetQueryParameters(
            select=["id"], top=2, count=True, filter=f"startswith(id,'B2C_1A_kiota{suffix}p')"
        )
    )
    page = await sets.get(config)
    seen = [s.id for s in page.value]
    pages = 1
    while page.odata_next_link:
        page = await sets.with_url(page.odata_next_link).get()
        seen += [s.id for s in page.value]
        pages += 1
    step(
        "list with $top/$select/$filter/$count and nextLink paging",
        len(seen) == 5 and pages == 3,
        f"{len(seen)} key sets in {pages} pages",
    )

    count = await sets.count.get()
    step("keySets/$count", isinstance(count, int) and count >= 7, str(count))

    await one.delete()
    await sets.by_trust_framework_key_set_id(other.id).delete()
    try:
        await one.get()
        step("deleted key set is gone", False)
    except Exception as error:  # the SDK raises ODataError with the envelope's code
        code = getattr(getattr(error, "error", None), "code", None)
        step("deleted key set is gone (404 envelope)", getattr(error, "response_status_code", 0) == 404, code)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"))
