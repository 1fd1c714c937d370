"""Compiled templates kept between runs, signed: Jinja's bytecode is code, so only our own is loaded.

Compiling the section templates costs a render process about as much as rendering six cards does.
Jinja can keep the compiled module (a marshalled code object) in a `BytecodeCache`, but loading
marshal data is running it: a file anyone could drop into the cache directory would execute as
cardkit. So the code goes through cardkit's cache store (core/cache.py), never Jinja's own file
cache (whose format also unpickles): one entry per template, HMAC-signed under the per-user key that
lives outside the cache directory, and named by a key covering everything the generated code depends
on: the template's source (SHA-256), its name, the Jinja and Python versions (marshal's format is
Python's), and every environment setting the compiler reads (delimiters, whitespace options,
extensions, the i18n style, the filter and test names). A missing, foreign, forged, damaged or
outdated entry reads as no entry, and the template is compiled as it would be without the cache.
Within one process each template is compiled or loaded once and shared by every locale's
environment: the code does not depend on the catalog, which is looked up when it runs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import marshal
import sys
from types import CodeType

import jinja2
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

from cardkit.core import cache as cache_store

KIND = "jinja"
"""The cache store's folder for compiled templates."""
VERSION = 1
"""Bumped when what an entry holds changes."""


def compile_settings(env: Environment) -> list[object]:
    """Everything of `env` that shapes the code Jinja generates from a template's source."""
    policies = {k: v for k, v in env.policies.items() if isinstance(v, str | int | bool | None)}
    return [
        VERSION,
        f"{type(env).__module__}.{type(env).__qualname__}",
        jinja2.__version__,
        sys.version,
        [env.block_start_string, env.block_end_string, env.variable_start_string],
        [env.variable_end_string, env.comment_start_string, env.comment_end_string],
        [env.line_statement_prefix, env.line_comment_prefix, env.newline_sequence],
        [env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.optimized, env.is_async],
        str(env.autoescape),
        sorted(env.extensions),
        bool(getattr(env, "newstyle_gettext", False)),
        sorted(env.filters),
        sorted(env.tests),
        sorted(policies.items()),
    ]


def entry_key(bucket: Bucket) -> str:
    """The store key of one template's code: its name and source checksum under these settings."""
    parts = [compile_settings(bucket.environment), bucket.key, bucket.checksum]
    return hashlib.sha256(json.dumps(parts, default=repr).encode("utf-8")).hexdigest()


def _decode(payload: object) -> CodeType | None:
    """The code object an entry holds, or None when the entry is not one we wrote."""
    if not isinstance(payload, str):
        return None
    try:
        code = marshal.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


class SignedBytecodeCache(BytecodeCache):
    """Jinja's bytecode cache backed by the signed cache store, with an in-process layer."""

    def __init__(self, persistent: bool = True) -> None:
        self.persistent = persistent
        """False keeps compiled code for this process only (nothing read or written on disk)."""
        self._memory: dict[str, CodeType] = {}

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        key = entry_key(bucket)
        code = self._memory.get(key)
        if code is None and self.persistent:
            code = _decode(cache_store.read_entry(KIND, key))
            if code is not None:
                self._memory[key] = code
        bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        key = entry_key(bucket)
        self._memory[key] = bucket.code
        if self.persistent:
            payload = base64.b64encode(marshal.dumps(bucket.code)).decode("ascii")
            cache_store.write_entry(KIND, key, payload)
