"""Family-bed pages: the list with a month's compliance and the count per area, the create form (a refusal shows
its message and writes nothing), the detail with its adaptation form and status buttons; another county is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from tests.familybeds.conftest import setup

pytestmark = pytest.mark.django_db


def test_list_shows_compliance_and_counts(beds_world, personas, login, django_assert_max_num_queries):
    setup(beds_world.elder, personas.community, beds_world.provider)
    setup(beds_world.guandu_elder, personas.guandu, beds_world.guandu_provider)
    client = login(personas.wuhua)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("familybeds:list"), {"month": "2026-10", "level": "township"})
    assert r.status_code == 200
    text = r.content.decode()
    assert beds_world.elder.name in text and beds_world.guandu_elder.name not in text
    assert "530102001" in text and "530111001" not in text


def test_create_form_sets_up_a_bed_and_shows_refusals(beds_world, personas, login):
    client = login(personas.huashan)
    assert client.get(reverse("familybeds:create")).status_code == 200
    data = {
        "elder": str(beds_world.plain.public_id),
        "provider": str(beds_world.provider.public_id),
        "start_date": "2026-10-01",
        "plan_cleaning": 3,
    }
    r = client.post(reverse("familybeds:create"), data)
    assert r.status_code == 422 and not HomeCareBed.objects.exists()
    r = client.post(reverse("familybeds:create"), {**data, "elder": str(beds_world.elder.public_id)})
    bed = HomeCareBed.objects.get()
    assert r.status_code == 302 and r.url == reverse("familybeds:detail", args=[bed.public_id])
    assert (bed.planned_visits, bed.plan) == (3, [{"kind": "cleaning", "visits_per_month": 3}])
    assert login(personas.city).get(reverse("familybeds:create")).status_code == 404  # the city only reads


def test_detail_adaptation_and_status(beds_world, personas, login):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    client = login(personas.community)
    assert client.get(reverse("familybeds:detail", args=[bed.public_id])).status_code == 200
    url = reverse("familybeds:adaptation", args=[bed.public_id])
    r = client.post(url, {"items": ["grab_bar"], "cost": "5000", "subsidy": "4000"})
    assert r.status_code == 422 and not HomeAdaptation.objects.exists()
    r = client.post(url, {"items": ["grab_bar", "bath_chair"], "cost": "5000", "subsidy": "2500"})
    assert r.status_code == 302 and HomeAdaptation.objects.get().subsidy == 2500
    r = client.post(reverse("familybeds:status", args=[bed.public_id]), {"status": "suspended"})
    assert r.status_code == 302
    bed.refresh_from_db()
    assert bed.status == "suspended"


def test_other_county_pages_are_404(beds_world, personas, login):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    guandu = login(personas.guandu)
    assert guandu.get(reverse("familybeds:detail", args=[bed.public_id])).status_code == 404
    adapt = {"items": ["grab_bar"], "cost": "100", "subsidy": "50"}
    assert guandu.post(reverse("familybeds:adaptation", args=[bed.public_id]), adapt).status_code == 404
    assert guandu.post(reverse("familybeds:status", args=[bed.public_id]), {"status": "closed"}).status_code == 404
    bed.refresh_from_db()
    assert bed.status == "active" and not HomeAdaptation.objects.exists()
    assert login(personas.operator).get(reverse("familybeds:list")).status_code == 404
