"""The dynamic provider behind `OutboundTrunk`: thin glue over spec, plan and service.

The runtime (client, listing cache) and one-line errors come from `provider_base`.

A provider process serves one Pulumi command and holds one `SIPClient`, so once a
call found LiveKit unreachable for a whole deadline, every later read and write of
that command fails at once with the same cause (see `SIPClient`).

Each call unpickles its own instance (a removed resource's delete runs with the
provider of its old state), so what one command must remember across resources
lives in this module: the trunk IDs that resources of the stack hold in this run,
which `delete` never deletes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)
from pulumi.runtime import rpc

from livekit_sip import media as media_fields
from livekit_sip import provider_base
from livekit_sip.client import SIPClient
from livekit_sip.errors import AmbiguousWriteError, LiveKitError, NotFoundError, TrunkError
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.outbound.spec import ADOPT, OutboundTrunkSpec, parse_spec
from livekit_sip.plan import Action, plan_from
from livekit_sip.provider_base import BaseProvider, Listing, label, one_line_errors
from livekit_sip.stack_config import credentials_path, trunk_path

ID = "sip_trunk_id"
#: Inputs `check` reads and drops: whether the credentials were given at all (even as ""),
#: and the resource name, for messages.
AUTH_GIVEN = "auth_given"
RESOURCE_NAME = "resource_name"
CHECK_ONLY = (AUTH_GIVEN, RESOURCE_NAME)
#: Trunks `check` looked up for an adopt, by ID; the create that follows in the same
#: `up` takes the answer instead of reading the trunk again. (dict get/set/pop are atomic.)
ADOPT_LOOKUPS: dict[str, OutboundTrunkInfo] = {}
_label = label


def _listing(client: SIPClient) -> Listing[OutboundTrunkInfo]:
    return Listing(client.outbound.list, client.outbound.get, lambda trunk: trunk.sip_trunk_id)


class TrunkProvider(BaseProvider):
    """Creates, reads, updates and deletes LiveKit SIP outbound trunks."""

    # -- contract -----------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalize the inputs.

        Unknown values (during preview) are left unchecked. Failures name the field.
        Credentials that were set in the last run (`olds`), or on a trunk to adopt,
        are never cleared unless the inputs give them, even as empty strings. Only a
        new resource that adopts a trunk costs an API call: the trunk is looked up,
        so preview can say what will be adopted, or that it does not exist.
        """
        key = news.get(RESOURCE_NAME) or news.get("name") or "<key>"
        public = {k: v for k, v in news.items() if k not in CHECK_ONLY}
        spec, errors = parse_spec(public, unknown=rpc.UNKNOWN)
        failures = [CheckFailure(e.field, f"{e.field}: {e.reason}") for e in errors]
        settings_failure = self.settings_failure()
        if settings_failure:
            failures.append(settings_failure)
        if spec is None or failures:
            return CheckResult(public, failures)
        keeps_auth = bool(news.get(AUTH_GIVEN)) or bool(spec.auth_username or spec.auth_password)
        if not keeps_auth and (olds.get("auth_username") or olds.get("auth_password")):
            failures.append(CheckFailure("auth_username", _auth_dropped(key, "the trunk has SIP credentials in the "
                                                                          "stack's state")))
        adopt = news.get(ADOPT)
        if adopt and adopt != rpc.UNKNOWN and not olds:
            failures += self._check_adopt(key, adopt, keeps_auth)
        inputs = spec.props()
        if adopt:
            inputs[ADOPT] = adopt
        return CheckResult(inputs, failures)

    def _check_adopt(self, key: str, adopt: str, keeps_auth: bool) -> list[CheckFailure]:
        try:
            live = self.client().outbound.get(adopt)
        except NotFoundError:
            return [CheckFailure(ADOPT, f"{ADOPT}: {_adopt_missing(adopt, key)}")]
        except LiveKitError as err:
            return [CheckFailure(ADOPT, f"{ADOPT}: cannot look up {adopt}: {err}")]
        if not keeps_auth and (live.auth_username or live.auth_password):
            return [CheckFailure("auth_username", _auth_dropped(key, f"{adopt} has SIP credentials in LiveKit"))]
        ADOPT_LOOKUPS[adopt] = live
        pulumi.log.info(f"trunk {key!r}: adopts the existing trunk {adopt} ({live.name!r}); it keeps its ID and "
                        "is overwritten with this spec; no new trunk is created")
        return []

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored outputs with the checked inputs, ignoring `__provider`.

        Never asks for a replacement: LiveKit changes every field in place. The trunk
        is held in this run, so no other resource's delete removes it.
        """
        provider_base.HELD.add(id_)
        new_spec, _ = parse_spec(news, unknown=rpc.UNKNOWN)
        if new_spec is None:
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        old_spec, _ = parse_spec(olds)
        # Also a change when nothing is to be written: a media field taken out of the
        # spec leaves LiveKit's value alone, but state must stop tracking it.
        changed = bool(plan_from(old_spec, new_spec).changed)
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    @one_line_errors
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the trunk, or with `adopt_trunk_id` take that trunk over with a replace.

        If create fails, no trunk was made, except after an AmbiguousWriteError.
        """
        spec = self._spec(props, "create")
        adopt = props.get(ADOPT)
        if adopt and adopt in provider_base.HELD:
            raise TrunkError(_label(props, adopt), "adopt",
                             "another resource of this stack holds this trunk; one trunk can be managed by one "
                             "resource only")
        try:
            if adopt:
                # A replace stores `media` as sent: keep the adopted trunk's media the spec leaves unset.
                looked_up = ADOPT_LOOKUPS.pop(adopt, None)
                held = (looked_up or self.client().outbound.get(adopt)).media if spec.unmanaged() else None
                info = self.client().outbound.replace(adopt, spec.to_info(held))
            else:
                info = self._create(spec)
            provider_base.HELD.add(info.sip_trunk_id)
        except TrunkError:
            raise
        except NotFoundError as err:
            if not adopt:
                raise TrunkError(_label(props), "create", err) from None
            raise TrunkError(_label(props), "adopt", f"{ADOPT} {_adopt_missing(adopt)}") from None
        except LiveKitError as err:
            raise TrunkError(_label(props, adopt), "adopt" if adopt else "create", err) from None
        finally:
            self._invalidate()
        return CreateResult(info.sip_trunk_id, self._outputs(spec, info, props, "create"))

    def _create(self, spec: OutboundTrunkSpec) -> OutboundTrunkInfo:
        client = self.client().outbound
        try:
            return client.create(spec.to_info())
        except AmbiguousWriteError:
            pass
        # The create may have landed before the answer was lost (a crash, a cut
        # connection). Look for it before sending another, so no trunk is made twice.
        landed = [t for t in client.list(numbers=[spec.numbers[0]])
                  if not OutboundTrunkSpec.from_info(t, spec.unmanaged()).changed(spec)]
        if len(landed) == 1:
            return landed[0]
        if not landed:
            return client.create(spec.to_info())
        ids = ", ".join(t.sip_trunk_id for t in landed)
        raise TrunkError(_label(spec.props()), "create",
                         f"the answer was lost and {len(landed)} identical trunks now exist ({ids}); "
                         f"keep one with {ADOPT} and delete the others")

    @one_line_errors
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Report the live trunk; a trunk that is gone returns no id and leaves state."""
        try:
            info = self._read(id_)
        except LiveKitError as err:
            raise TrunkError(_label(props, id_), "read", err) from None
        if info is None:
            return ReadResult(None, {})
        # Media fields the stored state leaves unset are LiveKit's business: not read, so no drift.
        unmanaged = media_fields.unmanaged(props)
        live = OutboundTrunkSpec.from_info(_unredacted(info, props.get("auth_password")), unmanaged)
        outs = self._state_props(live, id_, props)
        inputs = {k: v for k, v in outs.items() if k != ID}
        return ReadResult(id_, outs, inputs)

    @one_line_errors
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Send the planned write: the update action with only the changed fields, or
        a replace with the full spec when a header map or include_headers changed.

        A write that carries the `media` message first reads the trunk when the spec
        leaves a media field unset, so LiveKit's value for it is sent back unchanged.

        The plan starts from the state, which may be stale: the trunk may have been
        edited outside Pulumi since the last refresh. When the answer differs from the
        spec, one replace with the full spec restores the trunk, with a warning.
        """
        provider_base.HELD.add(id_)
        new = self._spec(news, "update", id_)
        old, _ = parse_spec(olds)
        step = plan_from(old, new)
        if step.action is Action.NONE:
            return UpdateResult(self._state_props(new, id_, news))
        action = step.action.value
        try:
            if step.sends_media and new.unmanaged():
                # Read now rather than trust state: media set outside Pulumi since the
                # last refresh must survive, and LiveKit has no partial media update.
                step = plan_from(old, new, self.client().outbound.get(id_).media)
            if step.action is Action.UPDATE:
                assert isinstance(step.update, OutboundTrunkUpdate)
                info = self.client().outbound.update(id_, step.update)
            else:
                assert isinstance(step.replace, OutboundTrunkInfo)
                info = self.client().outbound.replace(id_, step.replace)
            answered = OutboundTrunkSpec.from_info(_unredacted(info, new.auth_password), new.unmanaged())
            drifted = new.changed(answered)
            if drifted:
                action = "replace"
                # The answer holds LiveKit's media: what the spec leaves unset goes back as it is.
                info = self.client().outbound.replace(id_, new.to_info(info.media))
                pulumi.log.warn(f"trunk {_label(news, id_)}: {', '.join(drifted)} had been changed outside Pulumi "
                                "since the last refresh; the trunk was restored to the stack's spec with a replace")
        except NotFoundError:
            gone = "the trunk no longer exists in LiveKit; run `pulumi refresh`, then `pulumi up` to recreate it"
            raise TrunkError(_label(news, id_), action, gone) from None
        except LiveKitError as err:
            raise TrunkError(_label(news, id_), action, err) from None
        finally:
            self._invalidate()
        return UpdateResult(self._outputs(new, info, news, action))

    @one_line_errors
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the trunk; one already gone is not an error.

        A trunk that another resource of the stack holds in this run (it adopted the
        trunk, or took it over through a rename) is not deleted: only this resource
        leaves the state.
        """
        if id_ in provider_base.HELD:
            pulumi.log.warn(f"trunk {_label(props, id_)}: not deleted, because another resource of this stack "
                            "holds it in this run (adoptTrunkId); only the old resource leaves the state")
            return
        try:
            self.client().outbound.delete(id_)
        except LiveKitError as err:
            raise TrunkError(_label(props, id_), "delete", err) from None
        finally:
            self._invalidate()

    # -- helpers ------------------------------------------------------------

    def _spec(self, props: Mapping[str, Any], operation: str, sip_trunk_id: str | None = None) -> OutboundTrunkSpec:
        spec, errors = parse_spec(props)
        if spec is None:
            raise TrunkError(_label(props, sip_trunk_id), operation, "; ".join(str(e) for e in errors))
        return spec

    def _outputs(self, want: OutboundTrunkSpec, info: OutboundTrunkInfo, props: Mapping[str, Any],
                 operation: str) -> dict[str, Any]:
        got = OutboundTrunkSpec.from_info(_unredacted(info, want.auth_password), want.unmanaged())
        lost = want.changed(got)
        if lost:
            # Only after a create or a full replace: what was sent is the whole trunk, so this is no drift.
            raise TrunkError(
                _label(props, info.sip_trunk_id), operation,
                f"LiveKit did not store {', '.join(lost)} as sent, even in a full write; the server may not "
                "support the field")
        return self._state_props(got, info.sip_trunk_id, props)

    @staticmethod
    def _state_props(spec: OutboundTrunkSpec, sip_trunk_id: str, props: Mapping[str, Any]) -> dict[str, Any]:
        outs = spec.props()
        outs[ID] = sip_trunk_id
        if props.get(ADOPT):
            outs[ADOPT] = props[ADOPT]
        return outs

    def _invalidate(self) -> None:
        self.listing("outbound", _listing).invalidate()

    def _read(self, sip_trunk_id: str) -> OutboundTrunkInfo | None:
        """One trunk, from the project's listing (one call per refresh), or None when it is gone."""
        found: OutboundTrunkInfo | None = self.listing("outbound", _listing).get(sip_trunk_id)
        return found


def _unredacted(info: OutboundTrunkInfo, password: Any) -> OutboundTrunkInfo:
    """`info` with `password` when the server left the password out of its answer.

    A server that redacts passwords in responses cannot show drift in them.
    """
    if not info.auth_password and info.auth_username and isinstance(password, str) and password:
        return info.model_copy(update={"auth_password": password})
    return info


def _auth_dropped(key: str, why: str) -> str:
    """Why a check refuses inputs without credentials, and the two ways on."""
    return (f"auth_username: {why}, and none are given now, so they would be cleared (was the trunk key renamed, "
            f"or {credentials_path(key)} removed?). Give them again, or clear auth on purpose by setting "
            f"both to \"\": pulumi config set --secret --path '{credentials_path(key, 'username')}' \"\" and "
            f"the same for .password (in Python: auth_username=\"\", auth_password=\"\")")


def _adopt_missing(adopt: str, key: str | None = None) -> str:
    """The trunk to adopt is gone: say so, and how to get a new one instead."""
    entry = trunk_path(key) if key else "the entry"
    return (f"{adopt} does not exist in this LiveKit project (deleted outside Pulumi, or another project?); "
            f"remove adoptTrunkId from {entry} (adopt_trunk_id in Python) to create a new trunk, or fix the ID")
