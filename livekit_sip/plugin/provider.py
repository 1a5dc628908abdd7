"""The plugin's gRPC service: each resource call goes to the kind's `ObjectProvider`, the
same check, diff, create, read, update and delete the dynamic resources run.

Calls run on a thread pool as wide as any `--parallel` the engine uses, so a big `up`
is limited by the engine, not by the plugin. Errors reach the CLI as the core's one
line. Secrets are marked on every value the plugin returns, so the engine keeps them
encrypted; nothing here logs a value.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.dynamic import CheckResult, DiffResult
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from livekit_sip import provider_base, settings
from livekit_sip.errors import LiveKitError
from livekit_sip.fields import plain
from livekit_sip.kind import ALL_TRUNKS, AUTH_GIVEN, RESOURCE_NAME
from livekit_sip.media import MEDIA_DEFAULTS, MEDIA_FIELDS
from livekit_sip.names import camel
from livekit_sip.object_provider import ObjectProvider
from livekit_sip.plan import plan_from
from livekit_sip.plugin import values
from livekit_sip.plugin.schema import PACKAGE, schema_json, sections_by_token
from livekit_sip.section import Section

T = TypeVar("T")
#: Threads serving calls: more than any `--parallel` a stack of LiveKit objects needs.
WIDTH = 64
#: Provider config (`livekit-sip:<key>`) → the key `settings.resolve` looks up.
_CONFIG = {"url": settings.PLUGIN_KEYS["url"], "apiKey": settings.PLUGIN_KEYS["api_key"],
           "apiSecret": settings.PLUGIN_KEYS["api_secret"], "deadline": settings.DEADLINE_KEY}


def _provider_class(section: Section) -> type[ObjectProvider]:
    name = section.resource_type.rsplit(":", 1)[-1]
    return type(f"{name}PluginProvider", (ObjectProvider,), {"kind": section.kind, "connections": WIDTH,
                                                              "config_keys": settings.PLUGIN_KEYS})


def _name(request: Any) -> str:
    return str(request.name or request.urn.rsplit("::", 1)[-1])


def _type(request: Any) -> str:
    return str(request.type or request.urn.split("::")[2].rsplit("$", 1)[-1])


def _failure_path(field: str) -> str:
    """A core field path (``trunk_ids[0]``) as the plugin's properties name it (``trunkIds[0]``)."""
    head, sep, rest = field.partition(".")
    base, bracket, index = head.partition("[")
    return camel(base) + bracket + index + sep + rest


class Service(provider_pb2_grpc.ResourceProviderServicer):
    """The `ResourceProvider` service over the core's providers, one per kind."""

    def __init__(self, version: str) -> None:
        self._version = version
        self._lookup: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(max_workers=WIDTH, thread_name_prefix="livekit-sip")
        self._sections = sections_by_token()
        self._providers = {token: _provider_class(section)() for token, section in self._sections.items()}

    # -- helpers --------------------------------------------------------------------------

    async def _serve(self, context: Any, work: Callable[[], T]) -> T:
        """`work` on a thread of the pool. A livekit-sip error ends the call with its one line;
        anything else is a bug, and its traceback goes with it."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        except provider_base.ProviderBug as err:
            message = str(err)
        except LiveKitError as err:
            message = " ".join(str(err).split())
        except Exception as err:  # a bug: nothing of it is lost
            message = f"{type(err).__name__}: {err}\n" + "".join(traceback.format_exception(err, limit=100))
        await context.abort(grpc.StatusCode.UNKNOWN, message)
        raise AssertionError("abort raises")  # pragma: no cover

    def _kind(self, request: Any) -> tuple[Section, ObjectProvider]:
        token = _type(request)
        if token not in self._sections:
            raise LiveKitError(f"{token}: not a resource of {PACKAGE}; its resources are "
                               f"{', '.join(sorted(self._sections))}")
        return self._sections[token], self._providers[token]

    @staticmethod
    def _secret(section: Section, props: Mapping[str, Any], given: frozenset[str] = frozenset()) -> frozenset[str]:
        return section.kind.secret_fields(props) | given

    # -- plugin and provider --------------------------------------------------------------

    async def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=self._version)

    async def GetSchema(self, request: Any, context: Any) -> Any:
        return provider_pb2.GetSchemaResponse(schema=schema_json(self._version))

    async def CheckConfig(self, request: Any, context: Any) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    async def DiffConfig(self, request: Any, context: Any) -> Any:
        # Another URL or key points the same resources elsewhere; it never replaces them.
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    async def Configure(self, request: Any, context: Any) -> Any:
        args = PropertyValue.unmarshal_map(request.args)
        for name, key in _CONFIG.items():
            value = values.plain(args[name]) if name in args else request.variables.get(f"{PACKAGE}:config:{name}")
            if value not in (None, ""):
                self._lookup[key] = str(value)
        for provider in self._providers.values():
            provider._lookup = self._lookup.get
        provider_base.start_log()
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=False, acceptResources=False)

    async def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    # -- resources ------------------------------------------------------------------------

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._check(request))

    async def Diff(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._diff(request))

    async def Create(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._create(request))

    async def Read(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._read(request))

    async def Update(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._update(request))

    async def Delete(self, request: Any, context: Any) -> Any:
        return await self._serve(context, lambda: self._delete(request))

    def _check(self, request: Any) -> Any:
        section, provider = self._kind(request)
        news, secret = values.to_core(PropertyValue.unmarshal_map(request.news))
        olds, _ = values.to_core(PropertyValue.unmarshal_map(request.olds))
        name = _name(request)
        news.setdefault("name", name)
        news[RESOURCE_NAME] = name
        # Given even as "" (cleared on purpose); a null is not given.
        news[AUTH_GIVEN] = news.get("auth_username") is not None or news.get("auth_password") is not None
        news[ALL_TRUNKS] = bool(news.get(ALL_TRUNKS))
        result: CheckResult = provider.check(olds, news)
        failures = []
        hidden = section.kind.secret_fields(news)
        for failure in result.failures or []:
            path = _failure_path(failure.property)
            reason = failure.reason.removeprefix(f"{failure.property}: ")
            # The engine prints the value of the property a failure names: a secret field's
            # failure names none (the reason still starts with its path).
            named = "" if failure.property.split(".")[0].split("[")[0] in hidden else path
            failures.append(provider_pb2.CheckFailure(property=named, reason=f"{path}: {reason}"))
        inputs = result.inputs or {}
        return provider_pb2.CheckResponse(
            inputs=PropertyValue.marshal_map(values.to_wire(inputs, self._secret(section, inputs, secret))),
            failures=failures)

    def _diff(self, request: Any) -> Any:
        section, provider = self._kind(request)
        olds, _ = values.to_core(PropertyValue.unmarshal_map(request.olds))
        news, _ = values.to_core(PropertyValue.unmarshal_map(request.news))
        result: DiffResult = provider.diff(request.id, olds, news)
        old, _ = section.kind.parse(olds)
        new, _ = section.kind.parse(news)
        changed = list(plan_from(old, new).changed) if old is not None and new is not None else []
        kind = provider_pb2.DiffResponse.DIFF_SOME if result.changes else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=kind, replaces=[camel(f) for f in result.replaces or []],
                                         diffs=[camel(f) for f in changed],
                                         deleteBeforeReplace=bool(result.delete_before_replace))

    def _create(self, request: Any) -> Any:
        section, provider = self._kind(request)
        props, secret = values.to_core(PropertyValue.unmarshal_map(request.properties))
        result = provider.create(props)
        outs = values.to_wire(result.outs or {}, self._secret(section, result.outs or {}, secret))
        return provider_pb2.CreateResponse(id=result.id, properties=PropertyValue.marshal_map(outs))

    def _read(self, request: Any) -> Any:
        section, provider = self._kind(request)
        props, secret = values.to_core(PropertyValue.unmarshal_map(request.properties))
        importing = not props
        if importing:
            # Every media field read, so what LiveKit holds beyond its defaults is managed.
            props = dict(MEDIA_DEFAULTS)
        result = provider.read(request.id, props)
        if not result.id:
            return provider_pb2.ReadResponse(id="")
        outs = dict(result.outs or {})
        inputs = dict(outs)
        inputs.pop(section.kind.id_field, None)
        if importing:
            outs, inputs = self._imported(section, outs, inputs)
        hidden = self._secret(section, outs, secret)
        return provider_pb2.ReadResponse(id=result.id,
                                         properties=PropertyValue.marshal_map(values.to_wire(outs, hidden)),
                                         inputs=PropertyValue.marshal_map(values.to_wire(inputs, hidden)))

    @staticmethod
    def _imported(section: Section, outs: dict[str, Any], inputs: dict[str, Any]) -> tuple[dict[str, Any],
                                                                                           dict[str, Any]]:
        """An import's outputs and inputs. The code Pulumi prints holds what differs from the
        defaults, as a program gives it, and no secret (credentials, a PIN): the program sets
        those from secret config, and the outputs keep them, as secrets. A media field at
        LiveKit's default is left to LiveKit, as a program that leaves it out does."""
        for field in MEDIA_FIELDS:
            if outs.get(field) == plain(MEDIA_DEFAULTS[field]):
                outs[field] = inputs[field] = None
        spec = section.kind.spec
        defaults = {name: plain(info.default) for name, info in spec.model_fields.items()}
        kept = {k: section.kind.given_form(k, v) for k, v in inputs.items()
                if v is not None and k not in spec.secret_fields() and (k == "name" or v != defaults.get(k))}
        if "trunk_ids" in spec.fields() and not outs.get("trunk_ids"):
            kept[ALL_TRUNKS] = True  # an empty list is every trunk, which a program says so
        return outs, kept

    def _update(self, request: Any) -> Any:
        section, provider = self._kind(request)
        olds, _ = values.to_core(PropertyValue.unmarshal_map(request.olds))
        news, secret = values.to_core(PropertyValue.unmarshal_map(request.news))
        result = provider.update(request.id, olds, news)
        outs = result.outs or {}
        return provider_pb2.UpdateResponse(
            properties=PropertyValue.marshal_map(values.to_wire(outs, self._secret(section, outs, secret))))

    def _delete(self, request: Any) -> Any:
        _, provider = self._kind(request)
        props, _ = values.to_core(PropertyValue.unmarshal_map(request.properties))
        provider.delete(request.id, props)
        return empty_pb2.Empty()
