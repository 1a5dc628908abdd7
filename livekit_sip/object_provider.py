"""The dynamic provider shared by outbound trunks, inbound trunks and dispatch rules.

`ObjectProvider` holds the contract every livekit-sip resource keeps (check at
preview with no API call but an adopt's lookup, diff without replacements, create
with recovery after a lost answer, reads from one listing per refresh, update or
replace with drift restored, idempotent delete, adopt); a `Kind` (`livekit_sip.kind`)
names what differs between kinds of object: the spec, the service, the ID field and
the words of messages. Create's recovery (taking over an object an interrupted `up`
left, finding a create whose answer was lost) is in `livekit_sip.takeover`.

A provider process serves one Pulumi command. The dynamic-provider server keeps one
configured instance per pickled provider, that is one per kind, each with its own
`SIPClient`: once a call found LiveKit unreachable for a whole deadline, every later
read and write of that kind fails at once with the same cause (see `TwirpClient`).
What one command must remember across kinds and resources (adopt lookups here, held
IDs in `provider_base`) lives in modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pulumi.runtime import rpc

from livekit_sip import media as media_fields
from livekit_sip import provider_base
from livekit_sip.client import SIPClient
from livekit_sip.errors import InvalidArgumentError, LiveKitError, NotFoundError, TrunkError
from livekit_sip.kind import ALL_TRUNKS, AUTH_GIVEN, CHECK_ONLY, RESOURCE_NAME, Kind, has_auth, unredacted
from livekit_sip.plan import Action, plan_from
from livekit_sip.provider_base import Listing, label, one_line_errors
from livekit_sip.takeover import TAKEN_OVER, TakeOver

# `Kind` and the check-only inputs live in `livekit_sip.kind`; this module still names them.
__all__ = ["ADOPT_LOOKUPS", "ALL_TRUNKS", "AUTH_GIVEN", "CHECK_ONLY", "RESOURCE_NAME", "Kind", "ObjectProvider"]

#: Objects `check` looked up for an adopt, by ID; the create that follows in the same
#: `up` takes the answer instead of reading the object again. (dict get/set/pop are atomic.)
ADOPT_LOOKUPS: dict[str, Any] = {}


class ObjectProvider(TakeOver):
    """Creates, reads, updates and deletes one kind of LiveKit SIP object."""

    # -- contract -----------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalize the inputs.

        Unknown values (during preview) are left unchecked. Failures name the field.
        Credentials that were set in the last run (`olds`), or on an object to adopt,
        are never cleared unless the inputs give them, even as "". An empty
        `trunk_ids` (every trunk) must be asked for with `all_trunks`. Only a new
        resource that adopts an object costs an API call: the object is looked up,
        so preview can say what will be adopted, or that it does not exist.
        """
        key = news.get(RESOURCE_NAME) or news.get("name") or "<key>"
        public = {k: v for k, v in news.items() if k not in CHECK_ONLY}
        spec, errors = self.kind.parse(public, unknown=rpc.UNKNOWN)
        failures = [CheckFailure(e.field, f"{e.field}: {e.reason}") for e in errors]
        settings_failure = self.settings_failure()
        if settings_failure:
            failures.append(settings_failure)
        if spec is None or failures:
            return CheckResult(public, failures)
        if "trunk_ids" in spec.fields() and not spec.trunk_ids and not news.get(ALL_TRUNKS):
            failures.append(CheckFailure("trunk_ids", "trunk_ids: is empty, which LiveKit reads as every trunk, "
                                         "and calls that match no trunk too; give trunk IDs, or say so with "
                                         "all_trunks=True (trunks: all in the stack config)"))
        keeps_auth = True
        if "auth_username" in spec.fields():
            keeps_auth = bool(news.get(AUTH_GIVEN)) or bool(spec.auth_username or spec.auth_password)
            if not keeps_auth and (olds.get("auth_username") or olds.get("auth_password")):
                failures.append(CheckFailure("auth_username", self._auth_dropped(
                    key, f"the {self.kind.noun} has SIP credentials in the stack's state")))
        adopt = news.get(self.kind.adopt)
        if adopt and adopt != rpc.UNKNOWN and (not olds or olds.get(self.kind.adopt) != adopt):
            failures += self._check_adopt(key, adopt, keeps_auth)
        inputs = spec.props()
        if adopt:
            inputs[self.kind.adopt] = adopt
        return CheckResult(inputs, failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare stored outputs with checked inputs. Every field changes in place, and
        the object keeps its ID; the one replacement is an adopt input naming another
        object than the one held: that object is adopted (a new ID, which resources
        naming this one get in the same `up`) and the one held before is deleted. The
        object is held in this run, so no other resource's delete removes it."""
        adopt = news.get(self.kind.adopt)
        if isinstance(adopt, str) and adopt and adopt != rpc.UNKNOWN and adopt != id_:
            return DiffResult(changes=True, replaces=[self.kind.adopt], delete_before_replace=False)
        provider_base.HELD.add(id_)
        taker = TAKEN_OVER.get(id_)
        if taker is not None:
            # Only when two entries are identical, names included, and the new one's create ran first.
            pulumi.log.warn(f"{self.kind.noun} {label(olds, id_)}: the identical entry {taker!r} took this "
                            f"{self.kind.noun} over in this run before its resource was compared; both now hold "
                            f"{id_}: give {taker!r} a name of its own, remove its resource from the state "
                            "(`pulumi state delete`) and run `pulumi up` again")
        new_spec, _ = self.kind.parse(news, unknown=rpc.UNKNOWN)
        if new_spec is None:
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        old_spec, _ = self.kind.parse(olds)
        # Also a change when nothing is to be written: a media field taken out of the
        # spec leaves LiveKit's value alone, but state must stop tracking it.
        return DiffResult(changes=bool(plan_from(old_spec, new_spec).changed), replaces=[],
                          delete_before_replace=False)

    @one_line_errors
    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the object, or with the adopt input take that object over with a replace.

        An object identical to the spec that no resource of the stack holds (left by an
        interrupted `pulumi up`, see `_take_over`) is taken over instead of making a new one.
        If create fails, nothing was made; after a lost answer, the object is looked
        for before a second create is sent, so none is ever made twice.
        """
        spec = self._spec(props, "create")
        adopt = props.get(self.kind.adopt)
        operation = "adopt" if adopt else "create"
        # Claimed atomically: two creates adopting one object may run at once on the worker threads.
        if adopt and not provider_base.HELD.claim(adopt):
            raise self._error(props, "adopt", f"another resource of this stack holds this {self.kind.noun}; "
                                              f"one {self.kind.noun} can be managed by one resource only", adopt)
        try:
            if adopt:
                # A replace stores `media` as sent: keep the adopted object's media the spec leaves unset.
                looked_up = ADOPT_LOOKUPS.pop(adopt, None)
                held = (looked_up or self._service().get(adopt)).media if spec.unmanaged() else None
                info = self._service().replace(adopt, spec.to_info(held))
            else:
                info = self._take_over(spec, props) or self._create(spec)
            provider_base.HELD.add(self.kind.object_id(info))
        except TrunkError:
            raise
        except NotFoundError as err:
            if not adopt:
                raise self._error(props, operation, err) from None
            raise self._error(props, operation, f"{self.kind.adopt} {self._adopt_missing(adopt)}") from None
        except InvalidArgumentError as err:
            raise self._error(props, operation, self._explained(err, spec, adopt), adopt) from None
        except LiveKitError as err:
            raise self._error(props, operation, err, adopt) from None
        finally:
            self._invalidate()
        return CreateResult(self.kind.object_id(info), self._outputs(spec, info, props, operation))

    @one_line_errors
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Report the live object; one that is gone returns no id and leaves state."""
        try:
            info = self._listing().get(id_)
        except LiveKitError as err:
            raise self._error(props, "read", err, id_) from None
        if info is None:
            return ReadResult(None, {})
        live = self.kind.spec.from_info(unredacted(info, props.get("auth_password")),  # type: ignore[attr-defined]
                                        media_fields.unmanaged(props))
        outs = self._state_props(live, id_, props)
        return ReadResult(id_, outs, {k: v for k, v in outs.items() if k != self.kind.id_field})

    @one_line_errors
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Send the planned write: the update action with only the changed fields, or a
        replace with the full spec for fields the update action cannot change.

        A write that carries the `media` message first reads the object when the spec
        leaves a media field unset, so LiveKit's value for it is sent back unchanged.

        The plan starts from the state, which may be stale: when LiveKit's answer
        differs from the spec (edited outside Pulumi since the last refresh), one
        replace with the full spec restores it, with a warning.
        """
        provider_base.HELD.add(id_)
        new = self._spec(news, "update", id_)
        old, _ = self.kind.parse(olds)
        step = plan_from(old, new)
        if step.action is Action.NONE:
            return UpdateResult(self._state_props(new, id_, news))
        action = step.action.value
        service = self._service()
        try:
            if step.sends_media and new.unmanaged():
                # Read now rather than trust state: media set outside Pulumi since the last
                # refresh must survive, and LiveKit has no partial media update.
                step = plan_from(old, new, service.get(id_).media)
            if step.action is Action.UPDATE:
                info = service.update(id_, step.update)
            else:
                info = service.replace(id_, step.replace)
            answered = self.kind.spec.from_info(  # type: ignore[attr-defined]
                unredacted(info, getattr(new, "auth_password", None)), new.unmanaged())
            drifted = new.changed(answered)
            if drifted:
                action = "replace"
                # The answer holds LiveKit's media: what the spec leaves unset goes back as it is.
                info = service.replace(id_, new.to_info(info.media))
                pulumi.log.warn(f"{self.kind.noun} {label(news, id_)}: {', '.join(drifted)} had been changed "
                                f"outside Pulumi since the last refresh; the {self.kind.noun} was restored to the "
                                "stack's spec with a replace")
        except NotFoundError:
            raise self._error(news, action, f"the {self.kind.noun} no longer exists in LiveKit; run `pulumi "
                                             "refresh`, then `pulumi up` to recreate it", id_) from None
        except InvalidArgumentError as err:
            raise self._error(news, action, self._explained(err, new, id_), id_) from None
        except LiveKitError as err:
            raise self._error(news, action, err, id_) from None
        finally:
            self._invalidate()
        return UpdateResult(self._outputs(new, info, news, action))

    @one_line_errors
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the object; one already gone is not an error. One that another
        resource of the stack holds in this run (adopted) is left alone."""
        if id_ in provider_base.HELD:
            pulumi.log.warn(f"{self.kind.noun} {label(props, id_)}: not deleted, because another resource of "
                            f"this stack holds it in this run ({self.kind.adopt_key}); only the old resource "
                            "leaves the state")
            return
        try:
            self._service().delete(id_)
        except LiveKitError as err:
            raise self._error(props, "delete", err, id_) from None
        finally:
            self._invalidate()

    # -- helpers ------------------------------------------------------------

    def _listing(self) -> Listing[Any]:
        def build(client: SIPClient) -> Listing[Any]:
            service = getattr(client, self.kind.service)
            return Listing(service.list, service.get, self.kind.object_id)
        return self.listing(self.kind.service, build)

    def _invalidate(self) -> None:
        self._listing().invalidate()

    def _spec(self, props: Mapping[str, Any], operation: str, object_id: str | None = None) -> Any:
        spec, errors = self.kind.parse(props)
        if spec is None:
            raise self._error(props, operation, "; ".join(str(e) for e in errors), object_id)
        return spec

    def _explained(self, err: InvalidArgumentError, spec: Any, own_id: str | None) -> LiveKitError | str:
        """LiveKit's refusal, and for a conflict the objects outside the stack it conflicts with:
        LiveKit's message may name `<new>` instead (livekit/protocol sip.go)."""
        text = str(err)
        if not self.kind.explains_conflicts or ("onflict" not in text and "already exists" not in text):
            return err
        try:
            others = self._service().list()
        except LiveKitError:
            return text
        mine = spec.conflict_keys()
        clashing = [o for o in others if self.kind.object_id(o) != own_id
                    and mine & self.kind.spec.from_info(o).conflict_keys()]  # type: ignore[attr-defined]
        if not clashing:
            return text
        names = ", ".join(f"{self.kind.object_id(o)} ({o.name!r})" for o in clashing)
        return (f"it conflicts with {self.kind.noun} {names}, which this stack does not manage (LiveKit: "
                f"{err.code}: {err.message.split(':')[0]}); change the numbers, trunks or PIN, or adopt that "
                f"{self.kind.noun} with {self.kind.adopt_key}")

    def _outputs(self, want: Any, info: Any, props: Mapping[str, Any], operation: str) -> dict[str, Any]:
        got = self.kind.spec.from_info(  # type: ignore[attr-defined]
            unredacted(info, getattr(want, "auth_password", None)), want.unmanaged())
        lost = want.changed(got)
        if lost:
            # Only after a create or a full replace: what was sent is the whole object, so this is no drift.
            raise self._error(props, operation, f"LiveKit did not store {', '.join(lost)} as sent, even in a full "
                                                "write; the server may not support the field",
                              self.kind.object_id(info))
        return self._state_props(got, self.kind.object_id(info), props)

    def _state_props(self, spec: Any, object_id: str, props: Mapping[str, Any]) -> dict[str, Any]:
        outs: dict[str, Any] = spec.props()
        outs[self.kind.id_field] = object_id
        if props.get(self.kind.adopt):
            outs[self.kind.adopt] = props[self.kind.adopt]
        return outs

    def _check_adopt(self, key: str, adopt: str, keeps_auth: bool) -> list[CheckFailure]:
        try:
            live = self._service().get(adopt)
        except NotFoundError:
            return [CheckFailure(self.kind.adopt, f"{self.kind.adopt}: {self._adopt_missing(adopt, key)}")]
        except LiveKitError as err:
            return [CheckFailure(self.kind.adopt, f"{self.kind.adopt}: cannot look up {adopt}: {err}")]
        if not keeps_auth and has_auth(live):
            return [CheckFailure("auth_username", self._auth_dropped(key, f"{adopt} has SIP credentials in LiveKit"))]
        ADOPT_LOOKUPS[adopt] = live
        pulumi.log.info(f"{self.kind.noun} {key!r}: adopts the existing {self.kind.noun} {adopt} ({live.name!r}); "
                        f"it keeps its ID and is overwritten with this spec; no new {self.kind.noun} is created")
        return []

    def _auth_dropped(self, key: str, why: str) -> str:
        """Why a check refuses inputs without credentials, and the two ways on."""
        path = self.kind.credentials_path
        assert path is not None, "only a kind with credentials checks them"
        return (f"auth_username: {why}, and none are given now, so they would be cleared (was the "
                f"{self.kind.noun} key renamed, or {path(key)} removed?). Give them again, or clear auth on "
                f"purpose by setting both to \"\": pulumi config set --secret --path '{path(key, 'username')}' "
                f"\"\" and the same for .password (in Python: auth_username=\"\", auth_password=\"\")")

    def _adopt_missing(self, adopt: str, key: str | None = None) -> str:
        """The object to adopt is gone: say so, and how to get a new one instead."""
        entry = self.kind.entry_path(key) if key else "the entry"
        return (f"{adopt} does not exist in this LiveKit project (deleted outside Pulumi, or another project?); "
                f"remove {self.kind.adopt_key} from {entry} ({self.kind.adopt} in Python) to create a new "
                f"{self.kind.noun}, or fix the ID")

