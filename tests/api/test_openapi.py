import re

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_lists_the_routes(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    prefix = "/api/v1"
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix + "/"):
            view = app.view_functions[rule.endpoint]
            assert hasattr(view, "operation"), f"{rule.rule} is not declared with @endpoint"
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule[len(prefix) :])
                assert (path, method.lower()) in documented


def test_authenticated_operations_declare_bearer_auth(client):
    document = client.get("/api/v1/openapi.json").json
    me = document["paths"]["/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert "401" in me["responses"]
    users = document["paths"]["/users"]["post"]
    assert users["security"] == []
    assert users["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/UserCreate")


def test_every_api_shape_is_built_on_first_use(app):
    """Each pydantic model of the app derives from `Schema` (`defer_build`): importing the app
    builds none of them, and one built on first use validates as before."""
    from pydantic import BaseModel

    from sharemarket.api.schemas import PlaceIn, Schema

    def subclasses(model):
        for sub in model.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [model for model in subclasses(BaseModel) if model.__module__.startswith("sharemarket.")]
    assert len(ours) > 50
    assert [model for model in ours if not issubclass(model, Schema)] == []
    assert all(model.model_config.get("defer_build") for model in ours)
    assert PlaceIn.model_validate({"lat": 47.75, "lng": -3.37}).to_place().lat == 47.75
