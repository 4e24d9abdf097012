"""Signed text: a key per purpose, derived from the secret key; forgeries refused."""

from laurel.kit.crypto import decrypt_secret, derive_key, encrypt_secret, is_signed, sign_text

KEY = "a-secret-key-of-this-deployment"


def test_a_signature_holds_only_for_its_text_purpose_and_key() -> None:
    signature = sign_text(KEY, "previews", "a/b/c")
    assert len(signature) == 43 and "=" not in signature
    assert is_signed(KEY, "previews", "a/b/c", signature)
    assert not is_signed(KEY, "previews", "a/b/d", signature)
    assert not is_signed(KEY, "other-purpose", "a/b/c", signature)
    assert not is_signed("another-secret-key", "previews", "a/b/c", signature)
    assert not is_signed(KEY, "previews", "a/b/c", signature[:-1])
    assert not is_signed(KEY, "previews", "a/b/c", "é" + signature[1:])  # not ASCII: no error


def test_each_purpose_has_its_own_key() -> None:
    assert derive_key(KEY, "previews") != derive_key(KEY, "webhook-secrets")
    assert len(derive_key(KEY, "previews")) == 32
    sealed = encrypt_secret(KEY, "whsec_x")
    assert decrypt_secret(KEY, sealed) == "whsec_x"
