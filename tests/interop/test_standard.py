"""The standard's document itself, and the checker every interop test runs on our answers."""

from __future__ import annotations

import hashlib

import pytest
from openapi_spec_validator.validation import OpenAPIV30SpecValidator

from tests.interop import standard


def test_the_shipped_document_is_the_standard_byte_for_byte():
    assert hashlib.sha256(standard.SPEC.read_bytes()).hexdigest() == standard.SHA256
    assert (standard.FOLDER / "LICENSE").read_text().strip().startswith("Apache License")


def test_only_the_known_invalid_default_is_fixed():
    raw = standard.load_raw()
    errors = list(OpenAPIV30SpecValidator(raw).iter_errors())
    assert len(errors) == 1 and "MON,TUE,WED,THU,FRI,SAT,SUN" in str(errors[0])
    fixed = standard.document()
    assert list(OpenAPIV30SpecValidator(fixed).iter_errors()) == []
    fixed["components"]["parameters"]["departureWeekdays"]["schema"]["default"] = raw["components"]["parameters"][
        "departureWeekdays"
    ]["schema"]["default"]
    assert fixed == raw


class FakeResponse:
    def __init__(self, status_code, body, mimetype="application/json"):
        self.status_code, self.body, self.mimetype = status_code, body, mimetype

    def get_json(self):
        return self.body


JOURNEY = {
    "id": "1-20261203",
    "operator": "carpool.example",
    "driver": {"id": "1", "operator": "carpool.example", "alias": "Gaël"},
    "passengerPickupLat": 47.8,
    "passengerPickupLng": -3.2,
    "passengerDropLat": 47.6,
    "passengerDropLng": -2.7,
    "duration": 3000,
    "passengerPickupDate": 1796280300,
    "type": "PLANNED",
    "price": {"type": "PAYING", "amount": 3.3, "currency": "EUR"},
}


@pytest.mark.parametrize(
    "broken",
    [
        {"price": {"type": "GRATIS"}},
        {"type": "SOMETIMES"},
        {"duration": "50 min"},
        {"driver": {"id": "1", "alias": "Gaël"}},
        {"preferences": {"luggageSize": 9}},
    ],
)
def test_the_checker_refuses_what_the_standard_refuses(broken):
    standard.check(FakeResponse(200, [JOURNEY]), "/interop/v1/driver_journeys", "GET")
    with pytest.raises(AssertionError):
        standard.check(FakeResponse(200, [{**JOURNEY, **broken}]), "/interop/v1/driver_journeys", "GET")


def test_the_checker_refuses_undeclared_statuses_and_bad_error_bodies():
    with pytest.raises(AssertionError, match="not declared"):
        standard.check(FakeResponse(404, {"error": "x"}), "/interop/v1/driver_journeys", "GET")
    with pytest.raises(AssertionError):
        standard.check(FakeResponse(400, {"error": 3}), "/interop/v1/driver_journeys", "GET")
    standard.check(FakeResponse(404, {"error": "missing_booking"}), "/interop/v1/bookings/x", "PATCH")


def test_status_answers_without_a_key(partner):
    assert partner.get("/status", key=None).status_code == 200
    assert partner.get("/status").status_code == 200
