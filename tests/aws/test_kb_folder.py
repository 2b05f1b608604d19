"""A local-folder data source (type WEB with file:// seed URLs) with Bedrock metadata sidecars."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from fixtures.aws import AwsServer
from fixtures.aws_kb import create_kb, expected, run_job, stats, wait_job


def _folder(aws: AwsServer, name: str) -> Path:
    folder = aws.gateway.settings.home / "sources" / name
    folder.mkdir(parents=True)
    return folder


def _web(*urls: str, **crawler: list[str]) -> dict[str, object]:
    config: dict[str, object] = {
        "sourceConfiguration": {"urlConfiguration": {"seedUrls": [{"url": u} for u in urls]}}
    }
    if crawler:
        config["crawlerConfiguration"] = crawler
    return {"type": "WEB", "webConfiguration": config}


def test_folder_source_with_sidecars_and_filters(aws: AwsServer) -> None:
    folder = _folder(aws, "talks")
    (folder / "a.md").write_text("Graph databases in practice.")
    (folder / "a.md.metadata.json").write_text(
        json.dumps({"metadataAttributes": {"track": "data", "year": 2025}})
    )
    (folder / "b.txt").write_text("Serverless pitfalls.")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "c.md").write_text("Unfinished draft.")
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "folder-talks")["knowledgeBaseId"]
    ds = agent.create_data_source(
        knowledgeBaseId=kb_id,
        name="talks-folder",
        dataSourceConfiguration=_web(folder.as_uri(), exclusionFilters=[r"/drafts/"]),
        vectorIngestionConfiguration={
            "chunkingConfiguration": {
                "chunkingStrategy": "HIERARCHICAL",
                "hierarchicalChunkingConfiguration": {
                    "levelConfigurations": [{"maxTokens": 200}, {"maxTokens": 50}],
                    "overlapTokens": 10,
                },
            }
        },
    )["dataSource"]
    ds_id = ds["dataSourceId"]
    assert ds["dataSourceConfiguration"]["webConfiguration"]["crawlerConfiguration"] == {
        "exclusionFilters": [r"/drafts/"]
    }

    first = run_job(agent, kb_id, ds_id)
    assert first["status"] == "COMPLETE", first
    assert stats(first) == expected(scanned=2, new=2, metadata=1)
    results = aws.backend.knowledge.get(kb_id).retrieve(
        "graph", 5, filter={"equals": {"key": "track", "value": "data"}}
    )
    assert [r.source_uri for r in results] == [(folder / "a.md").resolve().as_uri()]
    assert {k: results[0].metadata[k] for k in ("track", "year")} == {"track": "data", "year": 2025}

    (folder / "a.md.metadata.json").write_text(
        json.dumps(
            {"metadataAttributes": {"track": {"value": {"type": "STRING", "stringValue": "db"}}}}
        )
    )
    (folder / "b.txt").unlink()
    second = run_job(agent, kb_id, ds_id)
    assert stats(second) == expected(scanned=1, modified=1, deleted=1, metadata=1)

    (folder / "a.md.metadata.json").write_text("{not json")
    third = run_job(agent, kb_id, ds_id)
    assert stats(third) == expected(scanned=1, failed=1, metadata=1)
    assert any("a.md.metadata.json" in r for r in third["failureReasons"])

    listed = agent.list_knowledge_base_documents(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert [d["identifier"]["custom"]["id"] for d in listed["documentDetails"]] == [
        (folder / "a.md").resolve().as_uri()
    ]


def test_folder_outside_the_roots_or_a_web_url_is_refused(aws: AwsServer, tmp_path: Path) -> None:
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "folder-refused")["knowledgeBaseId"]
    for config in (
        _web(tmp_path.as_uri()),
        _web("https://example.com/"),
        _web(_folder(aws, "bad-filter").as_uri(), inclusionFilters=["("]),
    ):
        with pytest.raises(agent.exceptions.ValidationException):
            agent.create_data_source(
                knowledgeBaseId=kb_id, name="refused", dataSourceConfiguration=config
            )


def _started_job(aws: AwsServer, name: str) -> tuple[Any, str, str, str]:
    """(client, KB id, data source id, job id) of a job started over 300 small files."""
    folder = _folder(aws, name)
    for i in range(300):
        (folder / f"f{i:03}.md").write_text(f"Talk number {i} about topic {i % 7}.")
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, f"folder-{name}")["knowledgeBaseId"]
    ds_id = agent.create_data_source(
        knowledgeBaseId=kb_id, name=name, dataSourceConfiguration=_web(folder.as_uri())
    )["dataSource"]["dataSourceId"]
    job_id = agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)["ingestionJob"][
        "ingestionJobId"
    ]
    return agent, kb_id, ds_id, job_id


def test_stop_a_running_job_and_a_finished_one(aws: AwsServer) -> None:
    agent, kb_id, ds_id, job_id = _started_job(aws, "many")
    try:
        with pytest.raises(agent.exceptions.ConflictException):
            agent.start_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id)
        stopping = agent.stop_ingestion_job(
            knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=job_id
        )["ingestionJob"]
        # COMPLETE: the last document was indexed before the runner saw the request.
        assert stopping["status"] in ("STOPPING", "STOPPED", "COMPLETE")
    except agent.exceptions.ConflictException:
        pass  # it finished first on a fast machine
    final = wait_job(agent, kb_id, ds_id, job_id)
    if final["status"] == "STOPPED":
        assert final["statistics"]["numberOfNewDocumentsIndexed"] < 300
        rest = run_job(agent, kb_id, ds_id)
        assert rest["statistics"]["numberOfNewDocumentsIndexed"] == (
            300 - final["statistics"]["numberOfNewDocumentsIndexed"]
        )
    else:
        assert final["status"] == "COMPLETE"
    with pytest.raises(agent.exceptions.ConflictException):
        agent.stop_ingestion_job(knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=job_id)
    stopped = agent.list_ingestion_jobs(
        knowledgeBaseId=kb_id,
        dataSourceId=ds_id,
        filters=[{"attribute": "STATUS", "operator": "EQ", "values": [final["status"]]}],
    )
    assert job_id in [j["ingestionJobId"] for j in stopped["ingestionJobSummaries"]]


def test_unknown_job_is_not_found(aws: AwsServer) -> None:
    agent = aws.client("bedrock-agent")
    kb_id = create_kb(agent, "folder-nojob")["knowledgeBaseId"]
    ds_id = agent.create_data_source(
        knowledgeBaseId=kb_id,
        name="empty",
        dataSourceConfiguration=_web(_folder(aws, "empty").as_uri()),
    )["dataSource"]["dataSourceId"]
    with pytest.raises(agent.exceptions.ResourceNotFoundException):
        agent.get_ingestion_job(
            knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId="NOSUCHJOB1"
        )
    try:
        agent.get_ingestion_job(
            knowledgeBaseId=kb_id, dataSourceId="NOSUCHSRC1", ingestionJobId="NOSUCHJOB1"
        )
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "ResourceNotFoundException"
    else:
        raise AssertionError("expected ResourceNotFoundException")


def test_a_stop_answers_stopping_when_the_runner_forgets_the_job_meanwhile(
    aws: AwsServer,
) -> None:
    # The race CI met: the runner sees the stop flag and forgets the job before the handler
    # reads the job back. The stop flag's ``set`` is made to forget the job at once.
    from podium.aws import _kb_jobs

    agent, kb_id, ds_id, job_id = _started_job(aws, "race")
    with _kb_jobs._lock:
        run = _kb_jobs._running.get(job_id)
    if run is None:
        pytest.skip("the job ended before the test could reach it")
    flag = run.stop

    def set_and_forget() -> None:
        threading.Event.set(flag)
        _kb_jobs._running.pop(job_id, None)  # under the handler's lock, as the runner would

    flag.set = set_and_forget  # type: ignore[method-assign]
    try:
        stopping = agent.stop_ingestion_job(
            knowledgeBaseId=kb_id, dataSourceId=ds_id, ingestionJobId=job_id
        )["ingestionJob"]
    except agent.exceptions.ConflictException:
        pytest.skip("the job ended before the stop request")
    assert stopping["status"] in ("STOPPING", "STOPPED")
    assert wait_job(agent, kb_id, ds_id, job_id)["status"] in ("STOPPED", "COMPLETE")
