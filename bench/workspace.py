#!/usr/bin/env python3
"""Make a benchmark workspace: platform/, pay/ and discord/ as sibling git repos.

    bench/workspace.py DIR [--platform N] [--pay N] [--discord N]

Each repo gets a baseline migration, N one-table migrations and a supabase/seed.sql,
committed on branch `main`. The platform also gets a config.toml and a committed
.linked-projects.json listing pay and discord, in the shape `mynatca link-project`
leaves them (schemas exposed, seed globs), so `mynatca check` finds nothing but the
missing hooks. Versions are 14-digit UTC timestamps, unique across the workspace, and
sort so that the platform's baseline comes first. Nothing is linked: run `mynatca link`.
DIR must not exist yet (or be empty).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

PROJECTS = ("platform", "pay", "discord")

CONFIG_TOML = """\
# Made by bench/workspace.py.
project_id = "mynatca-bench"

[api]
schemas = ["public", "graphql_public", "pay", "discord"]

[db]
port = 54322
major_version = 15

[db.seed]
enabled = true
sql_paths = ["./seed.sql", "./seeds/pay/*.sql", "./seeds/discord/*.sql"]
"""


def schema_of(repo):
    return "public" if repo == "platform" else repo


def baseline_sql(schema):
    if schema == "public":
        return "create table public.members (membernumber text primary key, name text not null);\n"
    return (
        f"create schema {schema};\n"
        f"create table {schema}.accounts (\n"
        "  id bigserial primary key,\n"
        "  membernumber text not null references public.members (membernumber)\n"
        ");\n"
    )


def seed_sql(schema):
    if schema == "public":
        return "insert into public.members (membernumber, name) values ('1001', 'Ann');\n"
    return f"insert into {schema}.accounts (membernumber) values ('1001');\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, stdout=subprocess.DEVNULL)


def make_repo(root, index, repo, count):
    """One repo: baseline, `count` migrations, a seed; committed on main."""
    schema = schema_of(repo)
    migrations = os.path.join(root, repo, "supabase", "migrations")
    os.makedirs(migrations)
    # Baselines: 2025-01-01 00:00:0{index}. Later files: every 3 s from 2025-06-01, each
    # repo offset by its index, so no two files in the workspace share a version.
    base = datetime.datetime(2025, 1, 1) + datetime.timedelta(seconds=index)
    write(os.path.join(migrations, f"{base:%Y%m%d%H%M%S}_baseline_{schema}.sql"), baseline_sql(schema))
    start = datetime.datetime(2025, 6, 1) + datetime.timedelta(seconds=index)
    tag = "" if repo == "platform" else f"{repo}_"
    # One small table per file: 3,000 of them in one transaction (bench-refresh.sh's
    # floor) stay within PostgreSQL's default lock table; a text column (a TOAST table
    # each) would not.
    for i in range(count):
        version = start + datetime.timedelta(seconds=3 * i)
        name = f"{version:%Y%m%d%H%M%S}_{tag}create_table_{i}.sql"
        write(os.path.join(migrations, name), f"create table {schema}.table_{i} (id bigserial primary key);\n")
    write(os.path.join(root, repo, "supabase", "seed.sql"), seed_sql(schema))
    if repo == "platform":
        write(os.path.join(root, repo, "supabase", "config.toml"), CONFIG_TOML)
        registry = {
            "version": 1,
            "projects": [{"name": p, "path": f"../{p}", "schema": schema_of(p)} for p in PROJECTS[1:]],
        }
        write(os.path.join(root, repo, ".linked-projects.json"), json.dumps(registry, indent=2) + "\n")
    path = os.path.join(root, repo)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Bench")
    git(path, "config", "user.email", "bench@example.com")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", f"{count + 1} migrations")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    for repo in PROJECTS:
        parser.add_argument(f"--{repo}", type=int, default=3, metavar="N", help=f"migrations in {repo} (default 3)")
    args = parser.parse_args()
    if os.path.exists(args.dir) and os.listdir(args.dir):
        sys.exit(f"error: {args.dir} is not empty; pass a new folder")
    os.makedirs(args.dir, exist_ok=True)
    for index, repo in enumerate(PROJECTS):
        count = getattr(args, repo)
        if count < 0:
            sys.exit(f"error: --{repo} {count}: pass a count of 0 or more")
        make_repo(args.dir, index, repo, count)


if __name__ == "__main__":
    main()
