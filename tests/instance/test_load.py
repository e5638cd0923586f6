"""Loading and validating instances: folders, workbooks, DataFrames, and every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allocator import InputError, Instance, Problem, load_instance

VALID: dict[str, str] = {
    "instance.toml": (
        'name = "tiny"\n'
        'description = "three nodes"\n'
        'start = "2017-03"\n'
        "periods = 3\n"
        "\n"
        "[categories]\n"
        "backlog = 1.0\n"
        "pilkada = 20\n"
    ),
    "nodes.csv": (
        "id,name,kind,region,lat,lon,stock,storage,issue_capacity,holding_cost,note\n"
        "V,Vendor,source,,,,100,,,0,first\n"
        "H,,hub,Jawa,-6.2,106.8,0,500,,0.5,\n"
        "O1,Office 1,office,Jawa,,,0,,50,0,\n"
    ),
    "links.csv": (
        "id,from,to,mode,capacity,cost,lead_time\n,V,H,road,,1.5,0\nH-O1,H,O1,,100,0.5,1\n"
    ),
    "supply.csv": "node,period,quantity\nV,2017-03,200\nV,2017-04,100\n",
    "demand.csv": ("node,period,category,quantity\nO1,2017-03,backlog,80\nO1,2017-04,pilkada,30\n"),
    "capacity.csv": "what,id,period,capacity\nlink,H-O1,2017-05,0\nissue,O1,2017-04,20\n",
}


def write_files(folder: Path, **overrides: str | bytes | None) -> Path:
    """Write the valid instance into ``folder``.

    ``nodes_csv="..."`` replaces nodes.csv; ``nodes_csv=None`` leaves it out.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes | None] = dict(VALID)
    for key, content in overrides.items():
        files[key.replace("_csv", ".csv").replace("_toml", ".toml")] = content
    for name, content in files.items():
        if content is None:
            continue
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_instance(folder)
    return caught.value.problems


# -- a valid instance -------------------------------------------------------------------


def test_valid_folder_has_the_declared_dtypes_and_values(tmp_path: Path) -> None:
    inst = load_instance(write_files(tmp_path / "tiny"))
    assert (inst.name, inst.start, inst.periods) == ("tiny", "2017-03", 3)
    assert inst.description == "three nodes"
    assert inst.categories == {"backlog": 1.0, "pilkada": 20.0}
    assert inst.source == str(tmp_path / "tiny")

    nodes = inst.nodes
    assert list(nodes.columns) == [
        "id", "name", "kind", "region", "lat", "lon", "stock", "storage",
        "issue_capacity", "holding_cost", "note",
    ]  # fmt: skip
    assert {c: str(t) for c, t in nodes.dtypes.items()} == {
        "id": "str", "name": "str", "kind": "str", "region": "str", "lat": "float64",
        "lon": "float64", "stock": "int64", "storage": "Int64", "issue_capacity": "Int64",
        "holding_cost": "float64", "note": "str",
    }  # fmt: skip
    assert nodes["name"].tolist() == ["Vendor", "H", "Office 1"]  # name defaults to the id
    assert nodes["stock"].tolist() == [100, 0, 0]
    assert nodes["storage"].isna().tolist() == [True, False, True]
    assert int(nodes["storage"].iloc[1]) == 500
    assert nodes["issue_capacity"].isna().tolist() == [True, True, False]
    assert nodes["lat"].iloc[1] == -6.2 and np.isnan(nodes["lat"].iloc[0])
    assert nodes["note"].tolist() == ["first", "", ""]

    links = inst.links
    assert list(links.columns) == ["id", "from", "to", "mode", "capacity", "cost", "lead_time"]
    assert links["id"].tolist() == ["V>H:road", "H-O1"]  # blank id -> FROM>TO:MODE
    assert str(links["capacity"].dtype) == "Int64" and pd.isna(links["capacity"].iloc[0])
    assert links["cost"].tolist() == [1.5, 0.5]
    assert str(links["lead_time"].dtype) == "int64" and links["lead_time"].tolist() == [0, 1]

    assert inst.supply["quantity"].tolist() == [200, 100]
    assert str(inst.supply["quantity"].dtype) == "int64"
    assert inst.demand.to_dict("list") == {
        "node": ["O1", "O1"],
        "period": ["2017-03", "2017-04"],
        "category": ["backlog", "pilkada"],
        "quantity": [80, 30],
    }
    assert inst.capacity["capacity"].tolist() == [0, 20]
    assert str(inst.capacity["capacity"].dtype) == "int64"


def test_name_defaults_to_the_folder_name_and_capacity_is_optional(tmp_path: Path) -> None:
    toml = VALID["instance.toml"].replace('name = "tiny"\n', "")
    inst = load_instance(write_files(tmp_path / "java", instance_toml=toml, capacity_csv=None))
    assert inst.name == "java"
    assert list(inst.capacity.columns) == ["what", "id", "period", "capacity"]
    assert len(inst.capacity) == 0


def test_whitespace_blank_lines_and_header_case_are_tolerated(tmp_path: Path) -> None:
    plain = load_instance(write_files(tmp_path / "a"))
    demand = (
        "Node , Period,CATEGORY,quantity\n O1 ,2017-03, backlog , 80 \n\nO1,2017-04,pilkada,30\n"
    )
    messy = load_instance(write_files(tmp_path / "b", demand_csv=demand))
    assert messy.demand.equals(plain.demand)


def test_semicolons_and_byte_order_mark_give_the_same_instance(tmp_path: Path) -> None:
    plain = load_instance(write_files(tmp_path / "tiny"))
    links = VALID["links.csv"].replace(",", ";")
    demand = b"\xef\xbb\xbf" + VALID["demand.csv"].replace(",", ";").encode()
    nodes = b"\xef\xbb\xbf" + VALID["nodes.csv"].encode()
    other = load_instance(
        write_files(tmp_path / "x" / "tiny", links_csv=links, demand_csv=demand, nodes_csv=nodes)
    )
    assert other.sha256 == plain.sha256
    assert other.links["id"].tolist() == ["V>H:road", "H-O1"]


def write_workbook(path: Path, folder: Path) -> Path:
    """The instance in ``folder`` as a workbook, with numbers as numbers."""
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(
            {
                "key": ["name", "description", "start", "periods"],
                "value": ["tiny", "three nodes", "2017-03", 3],
            }
        ).to_excel(writer, sheet_name="instance", index=False)
        pd.DataFrame({"category": ["backlog", "pilkada"], "weight": [1.0, 20]}).to_excel(
            writer, sheet_name="categories", index=False
        )
        for table in ("nodes", "links", "supply", "demand", "capacity"):
            frame = pd.read_csv(folder / f"{table}.csv")  # numeric dtypes, NaN for blanks
            frame.to_excel(writer, sheet_name=table, index=False)
    return path


def test_workbook_gives_the_same_instance_as_the_folder(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny")
    book = write_workbook(tmp_path / "tiny.xlsx", folder)
    from_folder, from_book = load_instance(folder), load_instance(book)
    assert from_book.sha256 == from_folder.sha256
    assert from_book.source == str(book)
    assert str(from_book.nodes["storage"].dtype) == "Int64"


def test_workbook_problems_name_the_sheet(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny", supply_csv="node,period,quantity\nV,2017-03,2.5\n")
    book = write_workbook(tmp_path / "tiny.xlsx", folder)
    assert problems_of(book) == [
        Problem(
            "tiny.xlsx[supply]",
            2,
            "quantity",
            "'2.5' is not a whole number; decimals are not accepted, write a whole number >= 0",
        )
    ]


def test_workbook_setting_problems_name_the_row(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny")
    book = write_workbook(tmp_path / "tiny.xlsx", folder)
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    workbook["categories"]["B3"] = 0
    workbook["instance"]["B4"] = "March 2017"
    workbook.save(book)
    assert problems_of(book) == [
        Problem(
            "tiny.xlsx[instance]",
            4,
            "value",
            "start 'March 2017' is not a month written YYYY-MM (for example 2017-03)",
        ),
        Problem(
            "tiny.xlsx[categories]",
            3,
            "weight",
            "weight 0 of category 'pilkada' is not positive; a weight is a number > 0",
        ),
    ]


# -- one bad input at a time ----------------------------------------------------------------

WHOLE = "decimals are not accepted, write a whole number >= 0"
THOUSANDS = "has thousands separators, which are not accepted; write the number as plain digits"
HORIZON = "is outside the horizon 2017-03..2017-05 (start 2017-03, 3 periods)"
NODE_HEADER = "id,name,kind,region,lat,lon,stock,storage,issue_capacity,holding_cost\n"
LINK_HEADER = "id,from,to,mode,capacity,cost,lead_time\n"
DEMAND_HEADER = "node,period,category,quantity\n"
CAPACITY_HEADER = "what,id,period,capacity\n"

BAD: list[tuple[str, str, Problem]] = [
    # missing column
    (
        "demand.csv",
        "node,period,quantity\nO1,2017-03,80\n",
        Problem(
            "demand.csv",
            1,
            "category",
            "missing column 'category'; the header is: node, period, quantity",
        ),
    ),
    # unknown nodes, links, categories
    (
        "supply.csv",
        "node,period,quantity\nV,2017-03,200\nX,2017-04,100\n",
        Problem("supply.csv", 3, "node", "'X' is not a node in nodes.csv"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O2,2017-03,backlog,80\n",
        Problem("demand.csv", 2, "node", "'O2' is not a node in nodes.csv"),
    ),
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,,\n,H,O9,,,,\n,H,O1,,,,\n",
        Problem("links.csv", 3, "to", "'O9' is not a node in nodes.csv"),
    ),
    (
        "capacity.csv",
        CAPACITY_HEADER + "storage,Q,2017-03,5\n",
        Problem("capacity.csv", 2, "id", "'Q' is not a node in nodes.csv"),
    ),
    (
        "capacity.csv",
        CAPACITY_HEADER + "link,H-O1,2017-03,5\nlink,V>O1,2017-03,5\n",
        Problem("capacity.csv", 3, "id", "'V>O1' is not a link in links.csv"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,vip,80\n",
        Problem(
            "demand.csv",
            2,
            "category",
            "'vip' is not a category; the categories in instance.toml are: backlog, pilkada",
        ),
    ),
    # quantities
    (
        "supply.csv",
        "node,period,quantity\nV,2017-03,-5\n",
        Problem("supply.csv", 2, "quantity", "'-5' is negative; write a whole number >= 0"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,2.5\n",
        Problem("demand.csv", 2, "quantity", f"'2.5' is not a whole number; {WHOLE}"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,12.0\n",
        Problem("demand.csv", 2, "quantity", f"'12.0' is not a whole number; {WHOLE}"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,80\nO1,2017-04,backlog,4.500.000\n",
        Problem("demand.csv", 3, "quantity", f"'4.500.000' {THOUSANDS} (4500000)"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + 'O1,2017-03,backlog,"4,500,000"\n',
        Problem("demand.csv", 2, "quantity", f"'4,500,000' {THOUSANDS} (4500000)"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER.replace(",", ";") + "O1;2017-03;backlog;4,500,000\n",
        Problem("demand.csv", 2, "quantity", f"'4,500,000' {THOUSANDS} (4500000)"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,4 500 000\n",
        Problem("demand.csv", 2, "quantity", f"'4 500 000' {THOUSANDS} (4500000)"),
    ),
    (
        "links.csv",
        LINK_HEADER + ',V,H,,"1,000",,\n',
        Problem(
            "links.csv",
            2,
            "capacity",
            "'1,000' is not a whole number: neither thousands separators nor decimals are "
            "accepted; if you mean 1000, write the number as plain digits",
        ),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,4,500,000\n",
        Problem(
            "demand.csv",
            2,
            None,
            "has 6 values but the header has 4 columns; thousands separators are not accepted "
            "(write a number such as 4,500,000 as plain digits, 4500000) and a text containing "
            "',' must be in double quotes",
        ),
    ),
    (
        "supply.csv",
        "node,period,quantity\nV,2017-03,\n",
        Problem("supply.csv", 2, "quantity", "is empty; a whole number >= 0 is required"),
    ),
    # periods
    (
        "supply.csv",
        "node,period,quantity\nV,2017-03,200\nV,2017-06,100\n",
        Problem("supply.csv", 3, "period", f"'2017-06' {HORIZON}"),
    ),
    (
        "capacity.csv",
        CAPACITY_HEADER + "issue,O1,2017-02,5\n",
        Problem("capacity.csv", 2, "period", f"'2017-02' {HORIZON}"),
    ),
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-3,backlog,80\n",
        Problem(
            "demand.csv",
            2,
            "period",
            "'2017-3' is not a month written YYYY-MM (for example 2017-03)",
        ),
    ),
    # repeated keys
    (
        "demand.csv",
        DEMAND_HEADER + "O1,2017-03,backlog,80\nO1,2017-04,backlog,5\nO1,2017-03,backlog,80\n",
        Problem(
            "demand.csv",
            4,
            "node",
            "node 'O1', period '2017-03', category 'backlog' repeats row 2; each (node, period, "
            "category) may appear once; a repeat is an error, not a sum",
        ),
    ),
    (
        "supply.csv",
        "node,period,quantity\nV,2017-03,200\nV,2017-03,100\n",
        Problem(
            "supply.csv",
            3,
            "node",
            "node 'V', period '2017-03' repeats row 2; each (node, period) may appear once; "
            "a repeat is an error, not a sum",
        ),
    ),
    (
        "capacity.csv",
        CAPACITY_HEADER + "issue,O1,2017-04,20\nISSUE,O1,2017-04,30\n",
        Problem(
            "capacity.csv",
            3,
            "what",
            "what 'issue', id 'O1', period '2017-04' repeats row 2; each (what, id, period) "
            "may appear once",
        ),
    ),
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,,,,,,\nH,,hub,,,,,,,\nO1,,office,,,,,,,\nH,,hub,,,,,,,\n",
        Problem("nodes.csv", 5, "id", "node id 'H' repeats row 3; node ids must be unique"),
    ),
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,,\n,H,O1,,,,\nH>O1,H,O1,,,,\n",
        Problem(
            "links.csv",
            4,
            "id",
            "link id 'H>O1' repeats row 3; link ids must be unique (give parallel links their "
            "own id or a different mode)",
        ),
    ),
    # links
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,,\n,H,H,,,,\n,H,O1,,,,\n",
        Problem(
            "links.csv",
            3,
            "to",
            "the link goes from 'H' to itself; 'from' and 'to' must be different nodes",
        ),
    ),
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,-1,\n,H,O1,,,,\n",
        Problem("links.csv", 2, "cost", "'-1' is negative; 'cost' is a number >= 0"),
    ),
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,free,\n,H,O1,,,,\n",
        Problem("links.csv", 2, "cost", "'free' is not a number; 'cost' is a number >= 0"),
    ),
    (
        "links.csv",
        LINK_HEADER.replace(",", ";") + ";V;H;;;1,5;\n;H;O1;;;;\n",
        Problem(
            "links.csv",
            2,
            "cost",
            "'1,5' has a decimal comma; write the decimal with a point (1.5)",
        ),
    ),
    (
        "links.csv",
        LINK_HEADER + ",V,H,,,,0.5\n,H,O1,,,,\n",
        Problem("links.csv", 2, "lead_time", f"'0.5' is not a whole number; {WHOLE}"),
    ),
    # nodes
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,,,,,,\nH,,warehouse,,,,,,,\nO1,,office,,,,,,,\n",
        Problem(
            "nodes.csv",
            3,
            "kind",
            "'warehouse' is not a node kind; use source, hub, office or other",
        ),
    ),
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,north,,,,,\nH,,hub,,,,,,,\nO1,,office,,,,,,,\n",
        Problem(
            "nodes.csv",
            2,
            "lat",
            "'north' is not a number; latitude is a number between -90 and 90",
        ),
    ),
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,-6.2,181,,,,\nH,,hub,,,,,,,\nO1,,office,,,,,,,\n",
        Problem(
            "nodes.csv",
            2,
            "lon",
            "'181' is out of range; longitude is a number between -180 and 180",
        ),
    ),
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,,,,,,-0.1\nH,,hub,,,,,,,\nO1,,office,,,,,,,\n",
        Problem(
            "nodes.csv", 2, "holding_cost", "'-0.1' is negative; 'holding_cost' is a number >= 0"
        ),
    ),
    (
        "nodes.csv",
        NODE_HEADER + "V,,source,,,,,,,\n,,hub,,,,,,,\nO1,,office,,,,,,,\nH,,hub,,,,,,,\n",
        Problem("nodes.csv", 3, "id", "is empty; a value is required"),
    ),
    # capacity
    (
        "capacity.csv",
        CAPACITY_HEADER + "road,H-O1,2017-03,5\n",
        Problem(
            "capacity.csv", 2, "what", "'road' is not a capacity kind; use link, storage or issue"
        ),
    ),
    # settings and categories
    (
        "instance.toml",
        'start = "2017-03"\nperiods = 3\n[categories]\nbacklog = 1.0\npilkada = 0\n',
        Problem(
            "instance.toml",
            5,
            "pilkada",
            "weight 0 of category 'pilkada' is not positive; a weight is a number > 0",
        ),
    ),
    (
        "instance.toml",
        'start = "2017-03"\nperiods = 3\n[categories]\nbacklog = -1\npilkada = 2\n',
        Problem(
            "instance.toml",
            4,
            "backlog",
            "weight -1 of category 'backlog' is not positive; a weight is a number > 0",
        ),
    ),
    (
        "instance.toml",
        'start = "2017-03"\nperiods = 3\n[categories]\nbacklog = 1\npilkada = "high"\n',
        Problem(
            "instance.toml",
            5,
            "pilkada",
            "weight 'high' of category 'pilkada' is not a number; a weight is a number > 0",
        ),
    ),
    (
        "instance.toml",
        'start = "March"\nperiods = 3\n[categories]\nbacklog = 1\npilkada = 2\n',
        Problem(
            "instance.toml",
            1,
            "start",
            "start 'March' is not a month written YYYY-MM (for example 2017-03)",
        ),
    ),
    (
        "instance.toml",
        'start = "2017-03"\nperiods = 2.5\n[categories]\nbacklog = 1\npilkada = 2\n',
        Problem(
            "instance.toml", 2, "periods", "periods '2.5' is not a whole number of months >= 1"
        ),
    ),
    (
        "instance.toml",
        'start = "2017-03"\nperiod = 3\n[categories]\nbacklog = 1\npilkada = 2\n',
        Problem(
            "instance.toml",
            2,
            "period",
            "unknown setting 'period'; did you mean 'periods'? the settings are name, "
            "description, start, periods, and the table [categories]",
        ),
    ),
    # encoding
    (
        "nodes.csv",
        (NODE_HEADER + "V,,source,,,,,,,\nH,Jawa Timur \xe9,hub,,,,,,,\n").encode("latin-1"),
        Problem(
            "nodes.csv",
            3,
            None,
            "is not UTF-8 text (byte 0xE9 on line 3); save it as UTF-8 (in Excel: 'CSV UTF-8')",
        ),
    ),
]


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    BAD,
    ids=[f"{file}-{problem.column}-{i}" for i, (file, _, problem) in enumerate(BAD)],
)
def test_each_bad_input_is_reported_precisely(
    tmp_path: Path, file: str, content: str | bytes, expected: Problem
) -> None:
    files: dict[str, str | bytes | None] = {file.replace(".", "_"): content}
    if file == "links.csv":
        files["capacity_csv"] = None  # it names link H-O1
    problems = problems_of(write_files(tmp_path / "tiny", **files))
    if expected.message.startswith("unknown setting") or "(byte 0x" in expected.message:
        # A misspelt key also leaves its setting missing; an unreadable file its nodes unknown.
        assert expected in problems
    else:
        assert problems == [expected]


def test_unknown_setting_also_reports_the_missing_one(tmp_path: Path) -> None:
    toml = 'start = "2017-03"\nperiod = 3\n[categories]\nbacklog = 1\npilkada = 2\n'
    problems = problems_of(write_files(tmp_path / "tiny", instance_toml=toml))
    assert [str(p) for p in problems] == [
        "instance.toml, column 'periods': the setting 'periods' is missing; give the number "
        "of months in the horizon",
        "instance.toml, row 2, column 'period': unknown setting 'period'; did you mean "
        "'periods'? the settings are name, description, start, periods, and the table "
        "[categories]",
    ]


def test_missing_required_file(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny", supply_csv=None)
    assert problems_of(folder) == [Problem("supply.csv", None, None, f"is missing from {folder}")]


def test_missing_nodes_file_does_not_also_flag_every_node_reference(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny", nodes_csv=None)
    assert problems_of(folder) == [Problem("nodes.csv", None, None, f"is missing from {folder}")]


def test_empty_nodes_file(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "tiny",
        nodes_csv=NODE_HEADER,
        links_csv=LINK_HEADER,
        supply_csv="node,period,quantity\n",
        demand_csv=DEMAND_HEADER,
        capacity_csv=None,
    )
    assert problems_of(folder) == [
        Problem("nodes.csv", None, None, "there are no nodes; give at least one node")
    ]


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    toml = 'name = "tiny"\nstart = 2017-03\nperiods = 3\n'
    problems = problems_of(write_files(tmp_path / "tiny", instance_toml=toml))
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.row, problem.column) == ("instance.toml", 2, None)
    assert problem.message.startswith("is not valid TOML: ")


def test_all_problems_across_files_are_reported_together(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "tiny",
        instance_toml='start = "2017-03"\nperiods = 3\n[categories]\nbacklog = 0\n',
        nodes_csv=NODE_HEADER + "V,,source,,,,,,,\nH,,hub,,,,1.5,,,\nO1,,office,,,,,,,\n",
        links_csv=LINK_HEADER + ",V,H,,,,\n,H,O1,,,,\n,O1,O1,,,,\n",
        supply_csv="node,period,quantity\nV,2017-03,4.500.000\n",
        demand_csv=DEMAND_HEADER + "O1,2017-03,backlog,80\nO1,2017-03,backlog,80\nO1,2017-09,x,1\n",
        capacity_csv=None,
    )
    assert [str(p) for p in problems_of(folder)] == [
        "instance.toml, row 4, column 'backlog': weight 0 of category 'backlog' is not "
        "positive; a weight is a number > 0",
        "nodes.csv, row 3, column 'stock': '1.5' is not a whole number; " + WHOLE,
        "links.csv, row 4, column 'to': the link goes from 'O1' to itself; 'from' and 'to' "
        "must be different nodes",
        f"supply.csv, row 2, column 'quantity': '4.500.000' {THOUSANDS} (4500000)",
        "demand.csv, row 3, column 'node': node 'O1', period '2017-03', category 'backlog' "
        "repeats row 2; each (node, period, category) may appear once; a repeat is an "
        "error, not a sum",
        f"demand.csv, row 4, column 'period': '2017-09' {HORIZON}",
        "demand.csv, row 4, column 'category': 'x' is not a category; the categories in "
        "instance.toml are: backlog",
    ]


# -- DataFrames from Python ------------------------------------------------------------------


def test_from_frames_with_numeric_dtypes_equals_loading(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "tiny")
    loaded = load_instance(folder)
    numeric = {table: pd.read_csv(folder / f"{table}.csv") for table in ("nodes", "links")}
    assert numeric["nodes"]["storage"].dtype == np.float64  # NaN for blanks
    built = Instance.from_frames(
        name="tiny",
        description="three nodes",
        start="2017-03",
        periods=3,
        categories={"backlog": 1, "pilkada": 20.0},
        nodes=numeric["nodes"],
        links=numeric["links"],
        supply=pd.DataFrame({"node": ["V", "V"], "period": ["2017-03", "2017-04"],
                             "quantity": np.array([200, 100])}),
        demand=pd.read_csv(folder / "demand.csv"),
        capacity=pd.read_csv(folder / "capacity.csv"),
    )  # fmt: skip
    assert built.sha256 == loaded.sha256
    assert built.source is None


def test_from_frames_validates_the_same_way(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        Instance.from_frames(
            name="x",
            start="2017-03",
            periods=2,
            categories={"backlog": 1.0},
            nodes=pd.DataFrame({"id": ["A", "B"], "stock": [1.5, -2.0]}),
            links=pd.DataFrame({"from": ["A"], "to": ["C"]}),
            demand=pd.DataFrame(
                {"node": ["A"], "period": ["2017-05"], "category": ["backlog"], "quantity": [3]}
            ),
        )
    assert [str(p) for p in caught.value.problems] == [
        f"nodes, row 2, column 'stock': '1.5' is not a whole number; {WHOLE}",
        "nodes, row 3, column 'stock': '-2' is negative; write a whole number >= 0",
        "links, row 2, column 'to': 'C' is not a node in nodes",
        "demand, row 2, column 'period': '2017-05' is outside the horizon 2017-03..2017-04 "
        "(start 2017-03, 2 periods)",
    ]


def test_from_frames_requires_nodes_and_links() -> None:
    with pytest.raises(InputError) as caught:
        Instance.from_frames(
            name="x", start="2017-03", periods=1, categories={"a": 1.0}, nodes=None, links=None
        )  # type: ignore[arg-type]
    assert [str(p) for p in caught.value.problems] == [
        "nodes: nodes is missing; an instance needs it",
        "links: links is missing; an instance needs it",
    ]
