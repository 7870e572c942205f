"""Tests for chuncheng.core.cipher (security checklist D1, D2)."""

import base64
import hashlib
import hmac
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from chuncheng.core.cipher import (
    ALGORITHMS,
    CipherError,
    FieldCipher,
    FileKeyProvider,
    KeyProvider,
    blind_index,
    get_cipher,
    get_key_provider,
    reset_cipher_cache,
)

BINDING = {"table": "elders_elder", "column": "id_number", "row": "42"}
ID_NUMBER = "11010519491231002X"


class MemoryKeyProvider:
    """In-memory provider for tests; keys are derived from their ids so two instances agree."""

    def __init__(self, *key_ids: str, index: bytes = b"index") -> None:
        self.keys = {key_id: hashlib.sha256(key_id.encode()).digest() for key_id in key_ids}
        self.current = key_ids[-1]
        self._index = hashlib.sha256(b"idx:" + index).digest()

    def add(self, key_id: str) -> None:
        self.keys[key_id] = hashlib.sha256(key_id.encode()).digest()
        self.current = key_id

    def current_key_id(self) -> str:
        return self.current

    def key(self, key_id: str) -> bytes:
        return self.keys[key_id]

    def index_key(self) -> bytes:
        return self._index


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def key_json(current="k1", keys=None, index=None) -> str:
    keys = keys if keys is not None else {"k1": b64(b"\x01" * 32)}
    return json.dumps({"current": current, "keys": keys, "index": index or b64(b"\x02" * 32)})


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch):
    monkeypatch.delenv("CHUNCHENG_FIELD_KEYS", raising=False)


# --- Primitive known answers --------------------------------------------------------------------------


def test_sm4_known_answer_gbt_32907():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_gcm_known_answer_rfc_8998():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    plaintext = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    assert ciphertext.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


# --- FieldCipher --------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_round_trip_and_token_shape(algorithm):
    cipher = FieldCipher(MemoryKeyProvider("k1"), algorithm)
    token = cipher.encrypt(ID_NUMBER, **BINDING)
    key_id, alg, payload = token.split("$")
    assert (key_id, alg) == ("k1", algorithm)
    assert len(base64.urlsafe_b64decode(payload)) == 12 + len(ID_NUMBER) + 16
    assert ID_NUMBER not in token
    assert cipher.decrypt(token, **BINDING) == ID_NUMBER
    assert cipher.encrypt(ID_NUMBER, **BINDING) != token  # fresh nonce each time


@settings(max_examples=50)
@given(plaintext=st.text(), algorithm=st.sampled_from(ALGORITHMS), row=st.text(min_size=1))
def test_round_trip_property(plaintext, algorithm, row):
    cipher = FieldCipher(MemoryKeyProvider("k1"), algorithm)
    binding = {"table": "t", "column": "c", "row": row}
    assert cipher.decrypt(cipher.encrypt(plaintext, **binding), **binding) == plaintext


def test_both_algorithms_decrypt_regardless_of_configuration():
    provider = MemoryKeyProvider("k1")
    aes, sm4 = FieldCipher(provider, "aes-gcm"), FieldCipher(provider, "sm4-gcm")
    assert sm4.decrypt(aes.encrypt("张三", **BINDING), **BINDING) == "张三"
    assert aes.decrypt(sm4.encrypt("张三", **BINDING), **BINDING) == "张三"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_flipped_byte_is_detected(algorithm):
    cipher = FieldCipher(MemoryKeyProvider("k1"), algorithm)
    key_id, alg, payload = cipher.encrypt(ID_NUMBER, **BINDING).split("$")
    raw = base64.urlsafe_b64decode(payload)
    for i in range(len(raw)):
        tampered = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :]
        token = f"{key_id}${alg}${base64.urlsafe_b64encode(tampered).decode()}"
        with pytest.raises(CipherError):
            cipher.decrypt(token, **BINDING)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "other", [{"row": "43"}, {"column": "phone"}, {"table": "children_child"}, {"row": "4", "column": "id_number|2"}]
)
def test_ciphertext_moved_to_another_cell_fails(algorithm, other):
    cipher = FieldCipher(MemoryKeyProvider("k1"), algorithm)
    token = cipher.encrypt(ID_NUMBER, **BINDING)
    with pytest.raises((CipherError, ValueError)):
        cipher.decrypt(token, **{**BINDING, **other})


def test_algorithm_label_swap_fails():
    cipher = FieldCipher(MemoryKeyProvider("k1"), "aes-gcm")
    token = cipher.encrypt(ID_NUMBER, **BINDING)
    with pytest.raises(CipherError):
        cipher.decrypt(token.replace("$aes-gcm$", "$sm4-gcm$"), **BINDING)


@pytest.mark.parametrize(
    "token", ["", "plain", "k1$aes-gcm", "k1$des$AAAA", "k1$aes-gcm$!!!!", "k1$aes-gcm$AAAA", "k1$aes-gcm$é", "a$b$c$d"]
)
def test_malformed_tokens(token):
    cipher = FieldCipher(MemoryKeyProvider("k1"))
    with pytest.raises(CipherError):
        cipher.decrypt(token, **BINDING)


def test_unknown_key_id():
    token = FieldCipher(MemoryKeyProvider("k1")).encrypt(ID_NUMBER, **BINDING)
    with pytest.raises(CipherError):
        FieldCipher(MemoryKeyProvider("k2")).decrypt(token, **BINDING)


def test_bad_configuration():
    with pytest.raises(ValueError):
        FieldCipher(MemoryKeyProvider("k1"), "aes-cbc")
    with pytest.raises(ValueError):
        FieldCipher(MemoryKeyProvider("k1")).encrypt("x", table="a|b", column="c", row="1")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_rotation(algorithm):
    provider = MemoryKeyProvider("k1")
    cipher = FieldCipher(provider, algorithm)
    old = cipher.encrypt(ID_NUMBER, **BINDING)
    assert not cipher.needs_rotation(old)
    assert cipher.rotate(old, **BINDING) == old

    provider.add("k2")
    assert cipher.needs_rotation(old)
    new = cipher.rotate(old, **BINDING)
    assert new.startswith(f"k2${algorithm}$")
    assert not cipher.needs_rotation(new)
    assert cipher.decrypt(new, **BINDING) == ID_NUMBER
    assert cipher.decrypt(old, **BINDING) == ID_NUMBER
    assert cipher.rotate(new, **BINDING) == new  # resumable: a second pass changes nothing
    with pytest.raises(CipherError):
        cipher.rotate(old, **{**BINDING, "row": "43"})


def test_rotation_between_algorithms():
    provider = MemoryKeyProvider("k1")
    token = FieldCipher(provider, "aes-gcm").encrypt(ID_NUMBER, **BINDING)
    sm4 = FieldCipher(provider, "sm4-gcm")
    assert sm4.needs_rotation(token)
    rotated = sm4.rotate(token, **BINDING)
    assert rotated.startswith("k1$sm4-gcm$")
    assert sm4.decrypt(rotated, **BINDING) == ID_NUMBER


# --- Blind index --------------------------------------------------------------------------------------


def test_blind_index():
    provider = MemoryKeyProvider("k1")
    index = blind_index("11010519491231002X", purpose="id_number", provider=provider)
    assert len(index) == 64 and int(index, 16) >= 0
    assert blind_index(" 11010519491231002x ", purpose="id_number", provider=provider) == index
    assert blind_index("11010519491231002X", purpose="guardian_id_number", provider=provider) != index
    other_key = MemoryKeyProvider("k1", index=b"another")
    assert blind_index("11010519491231002X", purpose="id_number", provider=other_key) != index
    assert index != hashlib.sha256(b"11010519491231002X").hexdigest()
    expected = hmac.new(provider.index_key(), b"id_number\x0011010519491231002X", hashlib.sha256).hexdigest()
    assert index == expected


def test_blind_index_rejects_bad_purpose():
    with pytest.raises(ValueError):
        blind_index("x", purpose="", provider=MemoryKeyProvider("k1"))
    with pytest.raises(ValueError):
        blind_index("x", purpose="a\x00b", provider=MemoryKeyProvider("k1"))


# --- FileKeyProvider ----------------------------------------------------------------------------------


def test_providers_satisfy_protocol(tmp_path):
    assert isinstance(MemoryKeyProvider("k1"), KeyProvider)
    assert isinstance(FileKeyProvider(tmp_path / "keys.json", allow_generate=True), KeyProvider)


def test_key_file_generated_with_0600(tmp_path):
    path = tmp_path / "var" / "field-keys.json"
    provider = FileKeyProvider(path, allow_generate=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["field-keys.json"]  # no temp file left behind
    data = json.loads(path.read_text())
    assert data["current"] == provider.current_key_id()
    assert len(provider.key(provider.current_key_id())) == 32
    assert len(provider.index_key()) == 32
    assert provider.index_key() != provider.key(provider.current_key_id())
    assert data["keys"]["k1"] not in repr(provider) and data["index"] not in repr(provider)

    again = FileKeyProvider(path, allow_generate=True)  # stable across restarts
    assert again.key(again.current_key_id()) == provider.key(provider.current_key_id())
    assert again.index_key() == provider.index_key()
    token = FieldCipher(provider).encrypt(ID_NUMBER, **BINDING)
    assert FieldCipher(again).decrypt(token, **BINDING) == ID_NUMBER


def test_missing_keys_refused_without_generation(tmp_path):
    path = tmp_path / "field-keys.json"
    with pytest.raises(ImproperlyConfigured):
        FileKeyProvider(path)
    with pytest.raises(ImproperlyConfigured):
        FileKeyProvider(None, allow_generate=True)
    assert not path.exists()


def test_env_var_takes_precedence(tmp_path, monkeypatch):
    path = tmp_path / "field-keys.json"
    FileKeyProvider(path, allow_generate=True)
    keys = {"old": b64(b"\x03" * 32), "new": b64(b"\x04" * 32)}
    monkeypatch.setenv("CHUNCHENG_FIELD_KEYS", key_json(current="new", keys=keys))
    provider = FileKeyProvider(path)
    assert provider.current_key_id() == "new"
    assert provider.key("old") == b"\x03" * 32
    assert provider.index_key() == b"\x02" * 32
    with pytest.raises(KeyError):
        provider.key("k1")


def test_env_var_without_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUNCHENG_FIELD_KEYS", key_json())
    assert FileKeyProvider(None).current_key_id() == "k1"
    assert not (tmp_path / "field-keys.json").exists()


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        key_json(keys={}),
        key_json(current="k9"),
        key_json(keys={"k1": b64(b"\x01" * 16)}),
        key_json(keys={"k1": "***"}),
        key_json(keys={"k$1": b64(b"\x01" * 32)}, current="k$1"),
        key_json(index=b64(b"\x01" * 32)),
        json.dumps({"current": "k1", "keys": {"k1": b64(b"\x01" * 32)}}),
    ],
)
def test_invalid_key_material(raw, monkeypatch):
    monkeypatch.setenv("CHUNCHENG_FIELD_KEYS", raw)
    with pytest.raises(ImproperlyConfigured):
        FileKeyProvider(None)


# --- Settings-driven accessors ------------------------------------------------------------------------


def test_get_cipher_from_settings(tmp_path):
    from django.conf import settings as django_settings

    if not django_settings.configured:
        pytest.skip("Django settings are not configured")
    from django.test import override_settings

    path = tmp_path / "field-keys.json"
    reset_cipher_cache()
    try:
        with override_settings(
            CHUNCHENG_FIELD_KEY_FILE=str(path), CHUNCHENG_FIELD_KEY_GENERATE=True, CHUNCHENG_CIPHER_ALGORITHM="sm4-gcm"
        ):
            cipher = get_cipher()
            assert cipher is get_cipher()
            assert cipher.provider is get_key_provider()
            assert cipher.algorithm == "sm4-gcm"
            assert os.path.exists(path)
            assert cipher.decrypt(cipher.encrypt("x", **BINDING), **BINDING) == "x"
            with override_settings(CHUNCHENG_CIPHER_ALGORITHM="rot13"), pytest.raises(ImproperlyConfigured):
                get_cipher()
    finally:
        reset_cipher_cache()
