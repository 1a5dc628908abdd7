"""Create with recovery: what `ObjectProvider.create` does so that no object is made twice.

`TakeOver` is the base of `ObjectProvider`: one kind's service and errors, and the
two ways a create finds an object LiveKit already holds. An object identical to the
spec that no resource of the stack holds (left by an interrupted `pulumi up`) is taken
over; after a lost answer, the object is looked for before a second create is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from livekit_sip import provider_base
from livekit_sip.errors import AmbiguousWriteError, LiveKitError, TrunkError
from livekit_sip.kind import Kind, unredacted
from livekit_sip.provider_base import BaseProvider, label

#: Objects a create of this process took over, by ID: the name of the entry that took each.
TAKEN_OVER: dict[str, str] = {}


class TakeOver(BaseProvider):
    """One kind's service and errors, and the creates that recover an object LiveKit holds."""

    kind: Kind

    def _service(self) -> Any:
        return getattr(self.client(), self.kind.service)

    def _error(self, props: Mapping[str, Any], operation: str, cause: LiveKitError | str,
               object_id: str | None = None) -> TrunkError:
        return TrunkError(label(props, object_id), operation, cause, kind=self.kind.noun)

    def _identical(self, info: Any, spec: Any) -> bool:
        """Whether the object `info` holds `spec`: every field equal, a password LiveKit
        leaves out of its answers taken as equal."""
        live = self.kind.spec.from_info(  # type: ignore[attr-defined]
            unredacted(info, getattr(spec, "auth_password", None)), spec.unmanaged())
        return not live.changed(spec)

    def _snapshot(self) -> Mapping[str, list[Any]]:
        """The objects of this kind LiveKit held before this process wrote any, by name.

        Listed once per provider process, by its first create: the creates that follow
        wait for it, so none of the objects this process makes is in it (those are held).
        """
        runtime = self.runtime()
        with runtime.snapshot_lock:
            found = runtime.snapshots.get(self.kind.service)
            if found is None:
                found = {}
                for info in self._service().list():
                    found.setdefault(str(info.name), []).append(info)
                runtime.snapshots[self.kind.service] = found
            return found

    def _take_over(self, spec: Any, props: Mapping[str, Any]) -> Any | None:
        """An object identical to `spec` that no resource of this stack holds, claimed, or None.

        A `pulumi up` interrupted after LiveKit made an object, but before the engine
        recorded it (the CLI, the program or the provider killed; a create answered with
        an error because its provider stopped), leaves that object in LiveKit and in no
        resource. Creating again would make a duplicate; the object is taken over instead.
        When several identical ones exist, one is taken and the warning names the others:
        they are duplicates to delete, unless another identical entry takes them over.
        A password LiveKit does not show is set to the stack's with a replace.
        """
        candidates = sorted((info for info in self._snapshot().get(str(spec.name), ())
                             if self.kind.object_id(info) not in provider_base.HELD and self._identical(info, spec)),
                            key=self.kind.object_id)
        for index, found in enumerate(candidates):
            object_id = self.kind.object_id(found)
            # Claimed atomically: two identical entries may be created at once on the worker threads.
            if not provider_base.HELD.claim(object_id):
                continue
            TAKEN_OVER[object_id] = str(props.get("name") or "")
            noun = self.kind.noun
            notes = ""
            others = [self.kind.object_id(o) for o in candidates[index + 1:]
                      if self.kind.object_id(o) not in provider_base.HELD]
            if others:
                notes += (f"; {', '.join(others)} {'is' if len(others) == 1 else 'are'} identical too and held by "
                          f"no resource: duplicates to delete in LiveKit, unless another entry takes them over")
            if (getattr(found, "auth_username", "") and not getattr(found, "auth_password", "")
                    and getattr(spec, "auth_password", None)):
                found = self._service().replace(object_id, spec.to_info(found.media if spec.unmanaged() else None))
                notes += "; its password, which LiveKit does not show, was set to the stack's with a replace"
            pulumi.log.warn(f"{noun} {label(props, object_id)}: took over the identical {noun} {object_id} left by "
                            f"an interrupted `pulumi up` (in LiveKit, in no resource of this stack); no new {noun} "
                            f"was created{notes}")
            return found
        return None

    def _create(self, spec: Any) -> Any:
        service = self._service()
        try:
            return service.create(spec.to_info())
        except AmbiguousWriteError:
            pass
        # The create may have landed before the answer was lost (a crash, a cut
        # connection): look for it before sending another, so none is made twice.
        landed = [o for o in service.list(**self.kind.landed_filter(spec)) if self._identical(o, spec)]
        if len(landed) == 1:
            return landed[0]
        if not landed:
            return service.create(spec.to_info())
        ids = ", ".join(self.kind.object_id(o) for o in landed)
        raise self._error(spec.props(), "create", f"the answer was lost and {len(landed)} identical "
                                                  f"{self.kind.noun}s now exist ({ids}); keep one with "
                                                  f"{self.kind.adopt_key} and delete the others")
