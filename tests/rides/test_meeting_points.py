from sqlalchemy import func, select

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
