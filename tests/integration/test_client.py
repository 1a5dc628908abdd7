"""SIPClient against the real livekit-server: every RPC, every field, every error type."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from enum import Enum
from typing import Any

import httpx
import pytest

from livekit_sip.client import SIPClient
from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.errors import (
    InvalidArgumentError,
    NotFoundError,
    ServerError,
    UnauthenticatedError,
)
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.settings import Settings
from livekit_sip.tokens import TokenSource
from livekit_sip.wire import ListUpdate
from scripts.proxy import Proxy
from tests.integration.conftest import JWT, MEDIA, full_trunk, number

MakeTrunk = Callable[..., OutboundTrunkInfo]


# -- RPCs -----------------------------------------------------------------------


def test_create_assigns_an_id_and_returns_the_trunk_as_sent(make_trunk: MakeTrunk) -> None:
    spec = full_trunk()
    created = make_trunk(**spec.model_dump(exclude={"sip_trunk_id"}))

    assert created.sip_trunk_id.startswith("ST_")
    assert created.model_copy(update={"sip_trunk_id": ""}) == spec


def test_get_returns_the_stored_trunk(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk(**full_trunk().model_dump())

    assert client.outbound.get(created.sip_trunk_id) == created


def test_list_filtered_by_trunk_ids_returns_only_those_trunks(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    first, _, third = (make_trunk(name=f"t{i}") for i in range(3))

    listed = client.outbound.list(trunk_ids=[third.sip_trunk_id, first.sip_trunk_id])

    assert sorted(t.sip_trunk_id for t in listed) == sorted([first.sip_trunk_id, third.sip_trunk_id])


def test_list_filtered_by_trunk_ids_skips_ids_that_do_not_exist(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    trunk = make_trunk()

    listed = client.outbound.list(trunk_ids=["ST_doesnotexist", trunk.sip_trunk_id])

    assert [t.sip_trunk_id for t in listed] == [trunk.sip_trunk_id]


def test_list_filtered_by_numbers_matches_any_listed_number_exactly(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    shared, own_a, own_b = number(), number(), number()
    a = make_trunk(numbers=[own_a, shared])
    b = make_trunk(numbers=[own_b])
    make_trunk(numbers=[number()])

    assert [t.sip_trunk_id for t in client.outbound.list(numbers=[own_a])] == [a.sip_trunk_id]
    assert sorted(t.sip_trunk_id for t in client.outbound.list(numbers=[shared, own_b])) == sorted(
        [a.sip_trunk_id, b.sip_trunk_id]
    )
    assert client.outbound.list(numbers=[own_a[:-1]]) == []


@pytest.mark.usefixtures("clean_project")
def test_list_with_a_small_page_size_returns_every_trunk_exactly_once(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    ids = {make_trunk(name=f"page {i}").sip_trunk_id for i in range(7)}

    listed = [t.sip_trunk_id for t in client.outbound.list(page_size=2)]

    assert sorted(listed) == sorted(ids)
    assert listed == sorted(listed), "OSS lists sorted by id"


@pytest.mark.usefixtures("clean_project")
def test_list_pages_through_a_server_that_honours_the_page_limit(
    proxy: Proxy, proxy_settings: Settings, settings: Settings, make_trunk: MakeTrunk
) -> None:
    """OSS ignores `page.limit`; Cloud may not. The proxy cuts each answer to the limit."""
    ids = {make_trunk(name=f"page {i}").sip_trunk_id for i in range(7)}
    tokens = TokenSource(settings.api_key, settings.api_secret)

    def honour_limit(method: str, attempt: int) -> tuple[int, str] | None:
        if method != "ListSIPOutboundTrunk":
            return None
        body = proxy.calls[-1].body
        answer = httpx.post(
            f"{settings.url}/twirp/livekit.SIP/{method}",
            json=body,
            headers={"Authorization": "Bearer " + tokens.token()},
        )
        items = answer.json()["items"][: body["page"]["limit"]]
        return 200, json.dumps({"items": items})

    proxy.fault = honour_limit
    paged = SIPClient(proxy_settings)
    listed = [t.sip_trunk_id for t in paged.outbound.list(page_size=3)]
    paged.close()

    assert sorted(listed) == sorted(ids)
    assert len(listed) == len(ids)
    assert proxy.methods().count("ListSIPOutboundTrunk") == 3


def test_update_changes_only_the_fields_it_names(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk(**full_trunk().model_dump())

    updated = client.outbound.update(
        created.sip_trunk_id,
        OutboundTrunkUpdate(name="renamed", address="10.0.0.1:5061", transport=Transport.TCP, auth_username="bob"),
    )

    expected = {
        "name": "renamed", "address": "10.0.0.1:5061", "transport": Transport.TCP, "auth_username": "bob"
    }
    assert client.outbound.get(created.sip_trunk_id) == updated
    for field, value in created.model_dump(exclude={"media", *expected}).items():
        assert getattr(updated, field) == value, field
    for field, value in expected.items():
        assert getattr(updated, field) == value, field


def test_update_sets_every_patchable_field(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk()
    patch = OutboundTrunkUpdate(
        address="sip2.example.com",
        transport=Transport.UDP,
        destination_country="DE",
        numbers=ListUpdate(set=["+4930123"]),
        auth_username="carol",
        auth_password="pw-for-carol",
        name="berlin",
        metadata="meta",
        media=MEDIA,
        from_host="from2.example.com",
    )

    updated = client.outbound.update(created.sip_trunk_id, patch)

    stored = client.outbound.get(created.sip_trunk_id)
    assert stored == updated
    assert stored.numbers == ["+4930123"]
    # The server copies media.encryption into the legacy field after an update.
    assert stored.media_encryption is MediaEncryption.REQUIRE
    for field in ("address", "transport", "destination_country", "auth_username", "auth_password",
                  "name", "metadata", "media", "from_host"):
        assert getattr(stored, field) == getattr(patch, field), field


def test_update_with_an_empty_password_clears_it(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk(auth_username="alice", auth_password="pw-for-alice")

    client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(auth_password=""))

    stored = client.outbound.get(created.sip_trunk_id)
    assert stored.auth_password == ""
    assert stored.auth_username == "alice"


def test_update_of_the_legacy_media_encryption_sets_both_encryption_fields(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    updated = client.outbound.update(created.sip_trunk_id,
                                     OutboundTrunkUpdate(media_encryption=MediaEncryption.REQUIRE))

    assert updated.media_encryption is MediaEncryption.REQUIRE
    assert updated.media is not None and updated.media.encryption is MediaEncryption.REQUIRE
    assert updated.effective_media_encryption is MediaEncryption.REQUIRE


def test_replace_overwrites_every_field(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk()
    new = full_trunk(media=MEDIA)

    replaced = client.outbound.replace(created.sip_trunk_id, new)

    assert replaced == new.model_copy(update={"sip_trunk_id": created.sip_trunk_id})
    assert client.outbound.get(created.sip_trunk_id) == replaced


def test_replace_clears_the_fields_it_omits(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk(**full_trunk(media=MEDIA).model_dump())
    numbers = [number()]

    replaced = client.outbound.replace(created.sip_trunk_id,
                                       OutboundTrunkInfo(address="sip.example.com", numbers=numbers))

    assert replaced == OutboundTrunkInfo(
        sip_trunk_id=created.sip_trunk_id, address="sip.example.com", numbers=numbers
    )
    stored = client.outbound.get(created.sip_trunk_id)
    assert stored.auth_password == ""
    assert stored.headers == {} and stored.headers_to_attributes == {} and stored.attributes_to_headers == {}
    assert stored.include_headers is IncludeHeaders.NONE
    assert stored.media is None


def test_replace_keeps_the_id_even_when_the_info_carries_another(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created, other = make_trunk(), make_trunk(name="other")

    replaced = client.outbound.replace(created.sip_trunk_id, other.model_copy(update={"name": "moved"}))

    assert replaced.sip_trunk_id == created.sip_trunk_id
    assert client.outbound.get(other.sip_trunk_id).name == "other"


def test_delete_removes_the_trunk(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk()

    client.outbound.delete(created.sip_trunk_id)

    with pytest.raises(NotFoundError):
        client.outbound.get(created.sip_trunk_id)
    assert client.outbound.list(trunk_ids=[created.sip_trunk_id]) == []


def test_delete_of_a_missing_id_is_not_an_error(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk()
    client.outbound.delete(created.sip_trunk_id)

    client.outbound.delete(created.sip_trunk_id)
    client.outbound.delete("ST_neverexisted")


def test_delete_treats_a_not_found_answer_as_deleted(proxy: Proxy, proxied: SIPClient) -> None:
    proxy.fault = lambda method, attempt: (404, '{"code":"not_found","msg":"object cannot be found"}')

    proxied.outbound.delete("ST_gonealready")

    assert proxy.methods() == ["DeleteSIPTrunk"]


# -- fields ---------------------------------------------------------------------

ROUND_TRIP: list[tuple[str, Any]] = [
    ("name", "office line"),
    ("metadata", '{"team": "sales", "emoji": "\u260e"}'),
    ("address", "sip.example.com:5070"),
    ("address", "192.0.2.10"),
    ("destination_country", "US"),
    ("transport", Transport.UDP),
    ("transport", Transport.TCP),
    ("transport", Transport.TLS),
    ("numbers", ["+15550100", "+15550101", "+15550102"]),
    ("auth_username", "alice"),
    ("auth_password", "pw with spaces & symbols!"),
    ("headers", {"X-Team": "sales", "X-Region": "eu"}),
    ("headers_to_attributes", {"X-Call-Ref": "call.ref"}),
    ("attributes_to_headers", {"call.ref": "X-Call-Ref"}),
    ("include_headers", IncludeHeaders.X_HEADERS),
    ("include_headers", IncludeHeaders.ALL),
    ("media_encryption", MediaEncryption.ALLOW),
    ("media_encryption", MediaEncryption.REQUIRE),
    ("from_host", "from.example.com"),
    ("media", MEDIA),
]


ROUND_TRIP_IDS = [f"{f}={v}" if isinstance(v, (str, Enum)) else f for f, v in ROUND_TRIP]


@pytest.mark.parametrize(("field", "value"), ROUND_TRIP, ids=ROUND_TRIP_IDS)
def test_field_round_trips_through_create_get_and_list(
    client: SIPClient, make_trunk: MakeTrunk, field: str, value: Any
) -> None:
    created = make_trunk(**{field: value})

    got = client.outbound.get(created.sip_trunk_id)
    (listed,) = client.outbound.list(trunk_ids=[created.sip_trunk_id])

    assert getattr(created, field) == value
    assert getattr(got, field) == value
    assert getattr(listed, field) == value
    assert got == listed == created


def test_a_trunk_with_every_field_set_reads_back_equal(client: SIPClient, make_trunk: MakeTrunk) -> None:
    spec = full_trunk(media=MEDIA)
    created = make_trunk(**spec.model_dump())

    assert client.outbound.get(created.sip_trunk_id) == spec.model_copy(update={"sip_trunk_id": created.sip_trunk_id})


def test_the_server_never_sets_timestamps(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk()

    got = client.outbound.get(created.sip_trunk_id)

    assert (got.created_at, got.updated_at) == (None, None)


# -- numbers: ListUpdate --------------------------------------------------------


def test_numbers_update_removes_then_adds_without_duplicating(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    a, b, c = number(), number(), number()
    created = make_trunk(numbers=[a, b])

    updated = client.outbound.update(created.sip_trunk_id,
                                     OutboundTrunkUpdate(numbers=ListUpdate(add=[c, b], remove=[a])))

    assert updated.numbers == [b, c]
    assert client.outbound.get(created.sip_trunk_id).numbers == [b, c]


def test_numbers_set_replaces_the_whole_list(client: SIPClient, make_trunk: MakeTrunk) -> None:
    created = make_trunk(numbers=[number(), number()])
    new = [number(), number()]

    updated = client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(set=new)))

    assert updated.numbers == new


def test_numbers_clear_of_the_only_numbers_is_a_server_error_and_changes_nothing(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    with pytest.raises(ServerError) as info:
        client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(clear=True)))

    # The merged result is validated after the request checks: 500 `unknown` on v1.13.5.
    assert (info.value.code, info.value.status) == ("unknown", 500)
    assert "no trunk numbers specified" in info.value.message
    assert created.sip_trunk_id in [t.sip_trunk_id for t in client.outbound.list(numbers=created.numbers)]


def test_numbers_remove_of_every_number_is_the_same_server_error(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    with pytest.raises(ServerError, match="no trunk numbers specified") as info:
        client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(remove=created.numbers)))

    assert info.value.status == 500
    assert client.outbound.get(created.sip_trunk_id).numbers == created.numbers


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (ListUpdate(set=[]), "unsupported list update operation"),
        (ListUpdate(clear=True, add=["+15550199"]), "cannot clear and change the list at the same time"),
        (
            ListUpdate(set=["+15550199"], remove=["+15550198"]),
            "cannot set and change the list at the same time",
        ),
        (ListUpdate(add=[""]), "empty element in the list"),
    ],
    ids=["empty-set", "clear-and-add", "set-and-remove", "empty-element"],
)
def test_numbers_update_that_breaks_a_list_rule_is_invalid_argument(
    client: SIPClient, make_trunk: MakeTrunk, update: ListUpdate, message: str
) -> None:
    created = make_trunk()

    with pytest.raises(InvalidArgumentError) as info:
        client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=update))

    assert (info.value.code, info.value.status) == ("invalid_argument", 400)
    assert message in info.value.message
    assert client.outbound.get(created.sip_trunk_id).numbers == created.numbers


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.outbound.get("ST_doesnotexist"),
        lambda c: c.outbound.update("ST_doesnotexist", OutboundTrunkUpdate(name="x")),
        lambda c: c.outbound.replace("ST_doesnotexist", OutboundTrunkInfo(address="h", numbers=["+15550100"])),
    ],
    ids=["get", "update", "replace"],
)
def test_unknown_trunk_id_raises_not_found(client: SIPClient, call: Callable[[SIPClient], Any]) -> None:
    with pytest.raises(NotFoundError) as info:
        call(client)

    assert (info.value.code, info.value.status) == ("not_found", 404)
    assert "does not exist" in info.value.message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"address": "sip:x"}, "not SIP URI"),
        ({"address": "user@host"}, "not SIP URI"),
        ({"address": "host;transport=tcp"}, "transport parameter"),
        ({"address": ""}, "no outbound address specified"),
        ({"numbers": []}, "no trunk numbers specified"),
        ({"from_host": "sips:from.example.com"}, "not SIP URI"),
        ({"headers": {"Call-ID": "x"}}, "header name Call-ID not supported"),
        ({"headers": {"X Bad": "x"}}, "contains invalid characters"),
        ({"headers": {"X-" + "a" * 300: "x"}}, "header name too long"),
        ({"headers": {"X-Ctl": "a\x01b"}}, "invalid header value for X-Ctl"),
        ({"headers": {"X-Long": "x" * 1025}}, "value too long"),
        ({"headers_to_attributes": {"X Bad": "attr"}}, "invalid characters"),
    ],
    ids=["sip-uri", "at-sign", "transport-param", "no-address", "no-numbers", "from-host-uri",
         "forbidden-header", "bad-header-name", "long-header-name", "control-char-value",
         "long-header-value", "bad-header-to-attribute"],
)
def test_create_of_an_invalid_trunk_raises_invalid_argument(
    client: SIPClient, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        client.outbound.create(OutboundTrunkInfo(**{"address": "sip.example.com", "numbers": [number()], **fields}))

    assert (info.value.code, info.value.status) == ("invalid_argument", 400)
    assert message in info.value.message
    assert info.value.operation == "CreateSIPOutboundTrunk"


def test_a_non_ascii_header_value_is_accepted_and_kept(client: SIPClient, make_trunk: MakeTrunk) -> None:
    """v1.13.5 accepts UTF-8 in header values, although the reference says printable ASCII only."""
    created = make_trunk(headers={"X-Note": "caf\u00e9"})

    assert client.outbound.get(created.sip_trunk_id).headers == {"X-Note": "caf\u00e9"}


def test_replace_with_an_invalid_address_raises_invalid_argument(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    with pytest.raises(InvalidArgumentError, match="not SIP URI"):
        client.outbound.replace(created.sip_trunk_id, OutboundTrunkInfo(address="sip:x", numbers=created.numbers))

    assert client.outbound.get(created.sip_trunk_id).address == created.address


def test_update_to_an_invalid_address_is_a_server_error_and_changes_nothing(
    client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    with pytest.raises(ServerError, match="not SIP URI") as info:
        client.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(address="sip:x"))

    # The update action validates the merged trunk only after loading it: 500, not 400.
    assert (info.value.code, info.value.status) == ("unknown", 500)
    assert client.outbound.get(created.sip_trunk_id).address == created.address


BAD_SECRET = "not-the-secret-" + "z" * 32


@pytest.mark.parametrize(
    ("key", "secret", "reason", "echoes_token"),
    [(None, BAD_SECRET, "signature is invalid", True), ("APIunknownkey", None, "invalid API key", False)],
    ids=["wrong-secret", "unknown-key"],
)
def test_bad_credentials_raise_unauthenticated_without_the_token_or_secret(
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    key: str | None,
    secret: str | None,
    reason: str,
    echoes_token: bool,
) -> None:
    bad = Settings(settings.url, key or settings.api_key, secret or settings.api_secret)
    tokens = TokenSource(bad.api_key, bad.api_secret)
    echoed = httpx.post(
        f"{settings.url}/twirp/livekit.SIP/ListSIPOutboundTrunk",
        json={},
        headers={"Authorization": "Bearer " + tokens.token()},
    )
    client = SIPClient(bad)
    caplog.set_level(logging.DEBUG, logger="livekit_sip")

    for call in (client.outbound.list, lambda: client.outbound.get("ST_any"),
                 lambda: client.outbound.create(full_trunk())):
        with pytest.raises(UnauthenticatedError) as info:
            call()
        err = info.value
        texts = [str(err), repr(err), err.message, *map(str, err.args), *map(repr, err.args)]
        assert (err.code, err.status) == ("unauthenticated", 401)
        assert reason in str(err)
        for text in texts:
            assert not JWT.search(text), text
            assert BAD_SECRET not in text and settings.api_secret not in text
    client.close()

    # v1.13.5 answers a bad signature with "invalid token: <the raw token>, error: ...".
    assert echoed.status_code == 401
    assert bool(JWT.search(echoed.text)) is echoes_token, echoed.text
    assert not any(JWT.search(r.getMessage()) for r in caplog.records)


# -- Get through List -----------------------------------------------------------

BAD_ROUTE = (404, '{"code":"bad_route","msg":"no handler for path /twirp/livekit.SIP/GetSIPOutboundTrunk"}')


def test_get_falls_back_to_list_when_the_server_has_no_get_rpc(
    client: SIPClient, make_trunk: MakeTrunk, proxy: Proxy, proxied: SIPClient
) -> None:
    created = make_trunk(**full_trunk().model_dump())
    proxy.fault = lambda method, attempt: BAD_ROUTE if method == "GetSIPOutboundTrunk" else None

    first = proxied.outbound.get(created.sip_trunk_id)
    second = proxied.outbound.get(created.sip_trunk_id)

    assert first == second == client.outbound.get(created.sip_trunk_id)
    # Only the first call asks for Get; the client then remembers the server lacks it.
    assert proxy.methods() == ["GetSIPOutboundTrunk", "ListSIPOutboundTrunk", "ListSIPOutboundTrunk"]
    assert proxy.calls[1].body["trunk_ids"] == [created.sip_trunk_id]


def test_get_through_list_raises_not_found_for_an_unknown_id(proxy: Proxy, proxied: SIPClient) -> None:
    proxy.fault = lambda method, attempt: BAD_ROUTE if method == "GetSIPOutboundTrunk" else None

    with pytest.raises(NotFoundError) as info:
        proxied.outbound.get("ST_doesnotexist")

    assert "ST_doesnotexist" in str(info.value)
    assert proxy.methods() == ["GetSIPOutboundTrunk", "ListSIPOutboundTrunk"]


def test_get_does_not_fall_back_on_an_ordinary_not_found(proxy: Proxy, proxied: SIPClient) -> None:
    with pytest.raises(NotFoundError):
        proxied.outbound.get("ST_doesnotexist")
    with pytest.raises(NotFoundError):
        proxied.outbound.get("ST_doesnotexist")

    assert proxy.methods() == ["GetSIPOutboundTrunk", "GetSIPOutboundTrunk"]
