def test_pages(personas, login):
    c = login(personas.wuhua)
    assert c.get("/").status_code == 200
    r = c.get("/org/", follow=True)
    assert r.status_code == 200, r.content[:500]
    assert c.get("/org/530111/").status_code == 404
    assert c.get("/institutions/").status_code == 200
    assert c.get(f"/institutions/{personas.guandu_home.public_id}/").status_code == 404
    assert c.get(f"/institutions/{personas.wuhua_home.public_id}/").status_code == 200
    assert c.get("/api/v1/institutions/").json()["count"] == 1
    a = login(personas.auditadmin)
    assert a.get("/admin/audit/").status_code == 200
    assert a.get("/api/schema/").status_code == 200
