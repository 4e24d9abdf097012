"""Signed text: a key per purpose, derived from the secret key; forgeries refused."""

import pytest
from cryptography.fernet import InvalidToken

from laurel.kit.crypto import (
    decrypt_secret,
    derive_key,
    encrypt_secret,
    is_signed,
    reencrypt_secret,
    sign_text,
)
from laurel.oauth.consent import open_request, sign_request

KEY = "a-secret-key-of-this-deployment"


def test_a_signature_holds_only_for_its_text_purpose_and_key() -> None:
    signature = sign_text(KEY, "previews", "a/b/c")
    assert len(signature) == 43 and "=" not in signature
    assert is_signed((KEY,), "previews", "a/b/c", signature)
    assert not is_signed((KEY,), "previews", "a/b/d", signature)
    assert not is_signed((KEY,), "other-purpose", "a/b/c", signature)
    assert not is_signed(("another-secret-key",), "previews", "a/b/c", signature)
    assert not is_signed((KEY,), "previews", "a/b/c", signature[:-1])
    assert not is_signed((KEY,), "previews", "a/b/c", "é" + signature[1:])  # not ASCII: no error


def test_each_purpose_has_its_own_key() -> None:
    assert derive_key(KEY, "previews") != derive_key(KEY, "webhook-secrets")
    assert len(derive_key(KEY, "previews")) == 32
    sealed = encrypt_secret(KEY, "whsec_x")
    assert decrypt_secret((KEY,), sealed) == "whsec_x"


def test_a_rotation_reads_with_either_key_and_seals_with_the_new_one() -> None:
    new = "the-next-secret-key"
    sealed = encrypt_secret(KEY, "whsec_x")
    assert decrypt_secret((new, KEY), sealed) == "whsec_x"
    resealed = reencrypt_secret((new, KEY), sealed)
    assert decrypt_secret((new,), resealed) == "whsec_x"
    with pytest.raises(InvalidToken):
        decrypt_secret((KEY,), resealed)
    with pytest.raises(InvalidToken):
        decrypt_secret((new,), sealed)
    signature = sign_text(KEY, "previews", "a/b/c")
    assert is_signed((new, KEY), "previews", "a/b/c", signature)
    assert not is_signed((new,), "previews", "a/b/c", signature)
    token = sign_request(KEY, [("client_id", "app")])
    assert open_request((new, KEY), token) == [("client_id", "app")]
    with pytest.raises(ValueError, match="bad signature"):
        open_request((new,), token)


def test_a_key_alone_is_not_mistaken_for_a_list_of_keys() -> None:
    with pytest.raises(TypeError):
        decrypt_secret(KEY, encrypt_secret(KEY, "whsec_x"))
