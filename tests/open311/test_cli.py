"""`linli integration create|list|revoke`: the operator's way to manage keys on the server."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner, Result

from backend.cli import main
from tests.factories import Api
from tests.open311.conftest import file


async def _linli(database_url: str, *args: str) -> Result:
    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    return await asyncio.to_thread(runner.invoke, main, ["integration", *args], env=env)


async def test_create_list_revoke(api: Api, database_url: str) -> None:
    made = await _linli(database_url, "create", "--name", "市民热线", "--community", "demo")
    assert made.exit_code == 0, made.output
    key = next(line for line in made.output.splitlines() if line.startswith("api_key: "))[9:]
    assert (await file(api, key)).status_code == 201
    listed = await _linli(database_url, "list")
    assert listed.exit_code == 0
    integration_id, state, prefix, name, slugs = listed.output.splitlines()[0].split("\t")
    assert (state, prefix, name, slugs) == ("active", key[:9] + "…", "市民热线", "demo")
    assert key not in listed.output
    revoked = await _linli(database_url, "revoke", integration_id)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert (await file(api, key)).status_code == 403
    # Mistakes are explained.
    for args, words in (
        (("create", "--name", "x", "--community", "nowhere"), "no such community: nowhere"),
        (("revoke", "999"), "no integration 999"),
    ):
        answer = await _linli(database_url, *args)
        assert answer.exit_code != 0 and words in answer.output
