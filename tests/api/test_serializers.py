"""The API's model serializers build their fields from the model once per class: each
serializer still has fields of its own, bound to it, and a subclass a set of its own."""

from rest_framework import serializers

from api.serializers import IrregularityOutSerializer, IrregularitySerializer, ReportSerializer


def test_fields_are_built_from_the_model_once(monkeypatch):
    assert "station" in ReportSerializer().fields

    def built_again(self):
        raise AssertionError("built from the model again")

    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", built_again)

    assert "station" in ReportSerializer().fields


def test_each_serializer_has_fields_of_its_own():
    first, second = ReportSerializer(), ReportSerializer()

    assert first.fields["station"] is not second.fields["station"]
    assert first.fields["station"].parent is first
    assert second.fields["station"].parent is second


def test_a_subclass_builds_fields_of_its_own():
    assert "photos" not in IrregularityOutSerializer().fields

    assert "photos" in IrregularitySerializer().fields
    assert "photos" not in IrregularityOutSerializer().fields
