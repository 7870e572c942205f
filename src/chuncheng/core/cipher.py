"""Field-level encryption of personal data (security checklist D1, D2).

Tokens look like ``<key_id>$<alg>$<urlsafe-b64(nonce12 || ciphertext || tag16)>``. The associated data binds
a token to ``table|column|row`` so a ciphertext copied to another row, column or table fails to decrypt.
The key id and algorithm travel in the token, so old keys and the other algorithm keep decrypting while
``rotate`` moves rows to the current key. Blind indexes for equality look-ups use HMAC-SHA256 under a separate
index key; a plain hash of an 18-digit ID is brute-forceable.

Algorithms: ``aes-gcm`` (AES-256-GCM) and ``sm4-gcm`` (SM4-GCM, GB/T 32907 block cipher in GCM mode as in
RFC 8998, using the first 16 bytes of the 32-byte key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

__all__ = [
    "ALGORITHMS",
    "CipherError",
    "FieldCipher",
    "FileKeyProvider",
    "KeyProvider",
    "blind_index",
    "get_cipher",
    "get_key_provider",
    "reset_cipher_cache",
]

logger = logging.getLogger(__name__)

ALGORITHMS = ("aes-gcm", "sm4-gcm")
KEY_ENV_VAR = "CHUNCHENG_FIELD_KEYS"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class CipherError(Exception):
    """A token could not be decrypted: malformed, tampered with, bound to another cell, or unknown key."""


@runtime_checkable
class KeyProvider(Protocol):
    """Source of field-encryption keys (a file in development; an HSM/KMS adapter in production)."""

    def current_key_id(self) -> str:
        """Id of the key new ciphertexts are written under."""
        ...

    def key(self, key_id: str) -> bytes:
        """The 32-byte data key ``key_id``; raise ``KeyError`` if unknown."""
        ...

    def index_key(self) -> bytes:
        """The 32-byte blind-index HMAC key (never one of the data keys)."""
        ...


# --- File / environment key provider ------------------------------------------------------------------


def _b64_key(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"Field key {what} must be a base64 string.")
    try:
        raw = base64.b64decode(value.translate(str.maketrans("-_", "+/")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"Field key {what} is not valid base64.") from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"Field key {what} must decode to {KEY_BYTES} bytes, not {len(raw)}.")
    return raw


def _generate_key_material() -> dict[str, Any]:
    def fresh() -> str:
        return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")

    return {"current": "k1", "keys": {"k1": fresh()}, "index": fresh()}


class FileKeyProvider:
    """Keys from the ``CHUNCHENG_FIELD_KEYS`` environment variable or, failing that, a JSON key file.

    Format: ``{"current": "k1", "keys": {"k1": "<base64 32 bytes>", ...}, "index": "<base64 32 bytes>"}``.
    With ``allow_generate=True`` (development only) a missing file is created with fresh random keys,
    mode 0600. Otherwise a missing configuration raises ``ImproperlyConfigured``.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, allow_generate: bool = False, env_var: str = KEY_ENV_VAR
    ) -> None:
        self.path = Path(path) if path is not None else None
        raw_env = os.environ.get(env_var)
        if raw_env:
            self.source = f"${env_var}"
            data = self._parse(raw_env)
        elif self.path is not None and self.path.exists():
            self.source = str(self.path)
            data = self._read_file(self.path)
        elif self.path is not None and allow_generate:
            self.source = str(self.path)
            data = self._generate_file(self.path)
        else:
            raise ImproperlyConfigured(
                f"No field-encryption keys: set {env_var} or provide the key file"
                + (f" {self.path}" if self.path is not None else "")
                + " (generation is only allowed in development)."
            )
        self._current, self._keys, self._index = self._load(data)

    def current_key_id(self) -> str:
        return self._current

    def key(self, key_id: str) -> bytes:
        return self._keys[key_id]

    def index_key(self) -> bytes:
        return self._index

    def key_ids(self) -> list[str]:
        """All known data-key ids."""
        return list(self._keys)

    def __repr__(self) -> str:  # never show key material
        return f"<FileKeyProvider source={self.source!r} current={self._current!r} keys={len(self._keys)}>"

    @staticmethod
    def _parse(text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ImproperlyConfigured("Field keys are not valid JSON.") from exc

    @classmethod
    def _read_file(cls, path: Path) -> Any:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            logger.warning("Field key file %s is accessible by group/others (mode %o); use 0600.", path, mode & 0o777)
        return cls._parse(path.read_text(encoding="utf-8"))

    @classmethod
    def _generate_file(cls, path: Path) -> Any:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_generate_key_material(), fh, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp_name, 0o600)
            try:
                # link() never replaces: if another process generated the file first, use its keys.
                os.link(tmp_name, path)
                logger.warning("Generated development field-encryption keys at %s.", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp_name)
        return cls._read_file(path)

    @staticmethod
    def _load(data: Any) -> tuple[str, dict[str, bytes], bytes]:
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict) or not data["keys"]:
            raise ImproperlyConfigured('Field keys must be an object with "current", "keys" and "index".')
        keys: dict[str, bytes] = {}
        for key_id, value in data["keys"].items():
            if not _KEY_ID_RE.fullmatch(key_id):
                raise ImproperlyConfigured(f"Field key id {key_id!r} must match {_KEY_ID_RE.pattern}.")
            keys[key_id] = _b64_key(value, repr(key_id))
        current = data.get("current")
        if current not in keys:
            raise ImproperlyConfigured(f"Current field key {current!r} is not among the keys.")
        index = _b64_key(data.get("index"), "index")
        if any(hmac.compare_digest(index, k) for k in keys.values()):
            raise ImproperlyConfigured("The blind-index key must differ from every data key.")
        return current, keys, index


# --- Cipher -------------------------------------------------------------------------------------------


def _aad(table: str, column: str, row: object) -> bytes:
    # A "|" in table or column would make two different bindings produce the same associated data.
    if "|" in table or "|" in column:
        raise ValueError("table and column must not contain '|'")
    return f"{table}|{column}|{row}".encode()


def _seal(algorithm: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if algorithm == "aes-gcm":
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


class FieldCipher:
    """Authenticated encryption of single field values bound to their table, column and row."""

    def __init__(self, provider: KeyProvider, algorithm: str = "aes-gcm") -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}, not {algorithm!r}")
        self.provider = provider
        self.algorithm = algorithm

    def _data_key(self, key_id: str) -> bytes:
        key = self.provider.key(key_id)
        if len(key) != KEY_BYTES:
            raise ValueError(f"data key {key_id!r} must be {KEY_BYTES} bytes")
        return key

    def encrypt(self, plaintext: str, *, table: str, column: str, row: str) -> str:
        """Encrypt ``plaintext`` under the current key, bound to ``table|column|row``."""
        key_id = self.provider.current_key_id()
        if "$" in key_id:
            raise ValueError("key ids must not contain '$'")
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = _seal(
            self.algorithm, self._data_key(key_id), nonce, plaintext.encode("utf-8"), _aad(table, column, row)
        )
        payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{key_id}${self.algorithm}${payload}"

    @staticmethod
    def _split(token: str) -> tuple[str, str, bytes]:
        parts = token.split("$") if isinstance(token, str) else []
        if len(parts) != 3 or parts[1] not in ALGORITHMS:
            raise CipherError("malformed token")
        key_id, algorithm, payload = parts
        try:
            raw = base64.b64decode(payload.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise CipherError("malformed token payload") from exc
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise CipherError("token payload too short")
        return key_id, algorithm, raw

    def decrypt(self, token: str, *, table: str, column: str, row: str) -> str:
        """Decrypt a token made by ``encrypt`` with any known key and either algorithm."""
        key_id, algorithm, raw = self._split(token)
        try:
            key = self._data_key(key_id)
        except KeyError as exc:
            raise CipherError(f"unknown key id {key_id!r}") from exc
        try:
            plaintext = _open(algorithm, key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(table, column, row))
            return plaintext.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError) as exc:
            raise CipherError("token failed authentication (tampered, or bound to another cell)") from exc

    def needs_rotation(self, token: str) -> bool:
        """True if the token is not under the current key and the configured algorithm."""
        key_id, algorithm, _raw = self._split(token)
        return key_id != self.provider.current_key_id() or algorithm != self.algorithm

    def rotate(self, token: str, *, table: str, column: str, row: str) -> str:
        """Re-encrypt a token under the current key and algorithm; an up-to-date token comes back unchanged.

        The token is always authenticated first, so a rotation run also detects tampered cells, and running it
        again over already-rotated rows is a no-op (resumable).
        """
        plaintext = self.decrypt(token, table=table, column=column, row=row)
        if not self.needs_rotation(token):
            return token
        return self.encrypt(plaintext, table=table, column=column, row=row)


def blind_index(value: str, *, purpose: str, provider: KeyProvider | None = None) -> str:
    """HMAC-SHA256 blind index (hex, 64 chars) of a value, for equality look-ups on encrypted columns.

    The value is normalised (stripped, upper-cased, so ``x``/``X`` match). ``purpose`` separates indexes of
    different kinds of data. ``provider`` defaults to ``get_key_provider()``.
    """
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty string without NUL")
    key = (provider if provider is not None else get_key_provider()).index_key()
    message = f"{purpose}\x00{value.strip().upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- Lazily built, cached instances from Django settings -----------------------------------------------

_SETTING_NAMES = frozenset({"CHUNCHENG_FIELD_KEY_FILE", "CHUNCHENG_FIELD_KEY_GENERATE", "CHUNCHENG_CIPHER_ALGORITHM"})
_lock = threading.RLock()
_provider: KeyProvider | None = None
_cipher: FieldCipher | None = None


def get_key_provider() -> KeyProvider:
    """The process-wide key provider built from ``CHUNCHENG_FIELD_KEY_FILE`` / ``CHUNCHENG_FIELD_KEY_GENERATE``."""
    global _provider
    with _lock:
        if _provider is None:
            from django.conf import settings

            _provider = FileKeyProvider(
                getattr(settings, "CHUNCHENG_FIELD_KEY_FILE", None),
                allow_generate=bool(getattr(settings, "CHUNCHENG_FIELD_KEY_GENERATE", False)),
            )
        return _provider


def get_cipher() -> FieldCipher:
    """The process-wide field cipher using ``CHUNCHENG_CIPHER_ALGORITHM`` (default ``aes-gcm``)."""
    global _cipher
    with _lock:
        if _cipher is None:
            from django.conf import settings

            provider = get_key_provider()
            algorithm = getattr(settings, "CHUNCHENG_CIPHER_ALGORITHM", "aes-gcm")
            if algorithm not in ALGORITHMS:
                raise ImproperlyConfigured(f"CHUNCHENG_CIPHER_ALGORITHM must be one of {ALGORITHMS}.")
            _cipher = FieldCipher(provider, algorithm)
        return _cipher


def reset_cipher_cache() -> None:
    """Forget the cached provider and cipher (tests, or after changing the key configuration)."""
    global _provider, _cipher
    with _lock:
        _provider = None
        _cipher = None


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTING_NAMES:
        reset_cipher_cache()


setting_changed.connect(_on_setting_changed, dispatch_uid="chuncheng.core.cipher.reset")
