import random

from sqlalchemy import func, select, update

from sharemarket import geo
from sharemarket.extensions import db
from sharemarket.rides import meeting_points
from sharemarket.rides.models import MeetingPoint

HEADER = (
    "id_lieu,id_local,nom_lieu,ad_lieu,com_lieu,insee,type,date_maj,ouvert,source,"
    "Xlong,Ylat,nbre_pl,nbre_pmr,duree,horaires,proprio,lumiere,comm\n"
)
ROWS = [
    "56098-C-001,C-1,Aire de Géant,Rue X,LANESTER,56098,Aire,2022-07-11,true,1,-3.343389,47.777579,12,,,,,,",
    "56098-C-002,C-2,Sans coordonnées,,LANESTER,56098,Parking,2022-07-11,true,1,,,5,,,,,,",
    "56098-C-003,C-3,Hors limites,,LANESTER,56098,Parking,2022-07-11,true,1,-3.3,147.7,5,,,,,,",
    "56098-C-004,C-4,Zéro,,LANESTER,56098,Parking,2022-07-11,true,1,0,0,5,,,,,,",
    "56098-C-005,C-5,Texte,,LANESTER,56098,Parking,not-a-date,false,1,abc,47.7,many,,,,,,",
    "56098-C-006,C-6,Fermée,,LANESTER,56098,Parking,,false,1,-3.35,47.77,,,,,,,",
]


def _write(tmp_path, rows):
    path = tmp_path / "bnlc.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _count():
    return db.session.scalar(select(func.count()).select_from(MeetingPoint))


def test_load_skips_bad_coordinates_and_is_idempotent(app, tmp_path):
    path = _write(tmp_path, ROWS)
    first = meeting_points.load_csv(path)
    assert (first.created, first.skipped) == (2, 4)
    again = meeting_points.load_csv(path)
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 2, 4)
    assert _count() == 2
    closed = db.session.scalar(select(MeetingPoint).where(MeetingPoint.ref == "56098-C-006"))
    assert closed.is_open is False and closed.spaces is None and closed.updated_on is None


def test_a_changed_row_is_updated_in_place(app, tmp_path):
    meeting_points.load_csv(_write(tmp_path, ROWS[:1]))
    changed = ROWS[0].replace(",12,", ",40,").replace("Aire de Géant", "Aire du Géant")
    summary = meeting_points.load_csv(_write(tmp_path, [changed]))
    assert (summary.created, summary.updated) == (0, 1)
    point = db.session.scalar(select(MeetingPoint))
    assert (point.name, point.spaces) == ("Aire du Géant", 40)


def test_closed_places_are_never_suggested(app, tmp_path):
    meeting_points.load_csv(_write(tmp_path, ROWS))
    assert [p.ref for p, _km in meeting_points.near(47.77, -3.35, 5)] == ["56098-C-001"]
    assert meeting_points.near(47.77, -3.35, 0) == []
    assert meeting_points.near(48.5, -4.5, 5) == []


def test_the_command_loads_the_shipped_register(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["meeting-points", "load"])
    assert result.exit_code == 0, result.output
    assert "2473 added" in result.output and "Base Nationale des Lieux de Covoiturage" in result.output
    assert _count() == 2473
    result = runner.invoke(args=["meeting-points", "load"])
    assert "0 added, 0 updated, 2473 unchanged" in result.output


def test_the_command_refuses_a_file_that_is_not_the_register(app, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["meeting-points", "load", str(path)])
    assert result.exit_code == 0 and "0 added" in result.output and "1 rows skipped" in result.output
    missing = app.test_cli_runner().invoke(args=["meeting-points", "load", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0


def test_the_nearest_areas_are_those_of_a_walk_through_every_open_one(app):
    """The in-memory register finds what checking every open area of the table would."""
    meeting_points.load_csv()
    db.session.execute(update(MeetingPoint).where(MeetingPoint.id % 7 == 0).values(is_open=False))
    meeting_points.forget()
    every = [p for p in db.session.scalars(select(MeetingPoint)) if p.is_open]
    rng = random.Random(4)
    for _ in range(200):
        lat, lng = rng.uniform(47.2, 48.9), rng.uniform(-5.1, -1.0)
        radius, limit = rng.choice([0.5, 2.0, 5.0, 12.0]), rng.choice([1, 3, 5])
        expected = sorted((km, p.id) for p in every if (km := geo.fast_distance_km(lat, lng, p.lat, p.lng)) <= radius)[
            :limit
        ]
        assert [(km, p.id) for p, km in meeting_points.near(lat, lng, radius, limit)] == expected


def test_areas_loaded_elsewhere_show_up_after_the_refresh_time(app, tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(meeting_points, "monotonic", lambda: clock[0])  # this module's clock only
    meeting_points.load_csv(_write(tmp_path, ROWS[:1]))
    assert [p.name for p, _km in meeting_points.near(47.77, -3.35, 5)] == ["Aire de Géant"]
    # Another process (a `meeting-points load` on the server) renames it: not seen yet...
    db.session.execute(update(MeetingPoint).values(name="Aire du Géant"))
    clock[0] += app.config.get("RIDES_MEETING_POINTS_REFRESH_SECONDS", 600) - 1
    assert [p.name for p, _km in meeting_points.near(47.77, -3.35, 5)] == ["Aire de Géant"]
    # ... then read again once the register is older than the refresh time.
    clock[0] += 1
    assert [p.name for p, _km in meeting_points.near(47.77, -3.35, 5)] == ["Aire du Géant"]
    # A load in this process is seen at once.
    changed = ROWS[0].replace("Aire de Géant", "Aire de Kerpont")
    meeting_points.load_csv(_write(tmp_path, [changed]))
    assert [p.name for p, _km in meeting_points.near(47.77, -3.35, 5)] == ["Aire de Kerpont"]
