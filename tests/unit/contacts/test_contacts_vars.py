"""Columns → vars_provided, and the agent's var contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.contacts import ImportOptions, load_contacts
from campaign.errors import InputError
from campaign.voicy.models import Agent

WriteFile = Callable[..., Path]

LIST = (
    "first_name,last_name,phone,appointment_date,clinic_name\n"
    "Ana , Lopez,2125550143,  2025-07-08 ,\n"  # line 2
    ",Smith,2125550144,2025-07-09,Uptown\n"  # line 3: no first name
    "Cy,,2125550145,,\n"  # line 4
)


def test_every_other_column_is_a_var_trimmed_without_empty_cells(write_file: WriteFile) -> None:
    contacts = load_contacts(write_file("list.csv", LIST))
    assert contacts.var_mapping == {
        "first_name": "first_name",
        "last_name": "last_name",
        "appointment_date": "appointment_date",
        "clinic_name": "clinic_name",
    }
    assert [row.vars for row in contacts.rows()] == [
        {"first_name": "Ana", "last_name": "Lopez", "appointment_date": "2025-07-08"},
        {"last_name": "Smith", "appointment_date": "2025-07-09", "clinic_name": "Uptown"},
        {"first_name": "Cy"},
    ]


def test_var_option_limits_and_renames(write_file: WriteFile) -> None:
    options = ImportOptions(vars=["first_name=name", "Clinic Name"])
    contacts = load_contacts(write_file("list.csv", LIST), options)
    assert contacts.var_mapping == {"first_name": "name", "clinic_name": "clinic_name"}
    assert [row.vars for row in contacts.rows()] == [
        {"name": "Ana"},
        {"clinic_name": "Uptown"},
        {"name": "Cy"},
    ]


def test_var_option_errors(write_file: WriteFile) -> None:
    path = write_file("list.csv", LIST)
    with pytest.raises(InputError, match="--var 'nickname' is not a column"):
        load_contacts(path, ImportOptions(vars=["nickname"]))
    with pytest.raises(InputError, match="no var name after '='"):
        load_contacts(path, ImportOptions(vars=["first_name="]))
    with pytest.raises(InputError, match="gives the var 'name' twice"):
        load_contacts(path, ImportOptions(vars=["first_name=name", "last_name=name"]))


def test_missing_required_var_rejects_the_row(
    write_file: WriteFile, appointment_agent: Agent
) -> None:
    contacts = load_contacts(write_file("list.csv", LIST), agent=appointment_agent)
    frame = contacts.frame
    assert frame["_status"].tolist() == ["valid", "invalid", "valid"]
    # appointment_date (default "") and clinic_name (a default) may be missing.
    assert frame["_reason"].tolist()[1] == (
        "missing first_name: the agent needs it and has no default"
    )
    assert contacts.agent_id == appointment_agent.agent_id
    unknown = [w for w in contacts.warnings if "does not know" in w]
    assert len(unknown) == 1
    assert "does not know the vars last_name" in unknown[0]


def test_no_column_for_a_required_var_warns_and_rejects(
    write_file: WriteFile, appointment_agent: Agent
) -> None:
    path = write_file("list.csv", "name,phone\nAna,2125550143\n")
    contacts = load_contacts(path, agent=appointment_agent)
    assert contacts.counts.invalid == 1
    assert any("no column gives first_name" in w for w in contacts.warnings)
    assert any("does not know the vars name " in w for w in contacts.warnings)
    renamed = load_contacts(path, ImportOptions(vars=["name=first_name"]), agent=appointment_agent)
    assert renamed.counts.valid == 1
    assert renamed.warnings == []


def test_headers_take_the_agents_spelling(write_file: WriteFile, appointment_agent: Agent) -> None:
    path = write_file("list.csv", "First Name,Phone,Clinic Name\nAna,2125550143,Uptown\n")
    contacts = load_contacts(path, agent=appointment_agent)
    assert contacts.var_mapping == {"First Name": "first_name", "Clinic Name": "clinic_name"}
    assert next(contacts.rows()).vars == {"first_name": "Ana", "clinic_name": "Uptown"}
    assert contacts.counts.valid == 1
    assert contacts.warnings == []
    # Without an agent the headers are kept as written.
    assert load_contacts(path).var_mapping == {
        "First Name": "First Name",
        "Clinic Name": "Clinic Name",
    }


def test_rows_for_another_agent_skip_the_contract(
    write_file: WriteFile, appointment_agent: Agent
) -> None:
    agent_id = appointment_agent.agent_id
    text = f"phone,agent_id,clinic_name\n2125550143,{agent_id},x\n2125550144,other,x\n"
    contacts = load_contacts(write_file("list.csv", text), agent=appointment_agent)
    assert contacts.agent_column == "agent_id"
    assert contacts.frame["_status"].tolist() == ["invalid", "valid"]
    assert contacts.frame["_agent_id"].tolist() == [appointment_agent.agent_id, "other"]
    assert "agent_id" not in contacts.var_mapping


def test_an_invalid_number_keeps_its_phone_reason_under_a_contract(
    write_file: WriteFile, appointment_agent: Agent
) -> None:
    contacts = load_contacts(write_file("list.csv", "phone\n12\n"), agent=appointment_agent)
    assert contacts.frame["_reason"].tolist() == ["too short"]
