"""Accepted DSL samples that call a model, run against a loopback OpenAI-wire upstream."""
import copy
import json

from tests.support.fake_openai import Reply
from tests.workflow.support import labelled_reply, load_workflow, message_text, run, settings_for

TRANSLATION_LLM = "1721117961155"


def test_translation_workflow_without_country(fake_llm):
    fake_llm.default = labelled_reply
    graph = load_workflow("awesome-translation-workflow")["graph"]
    inputs = {"target_lang": "French", "source_lang": "English", "source_text": "Good morning", "country": ""}

    result, events = run(graph, inputs, llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert result.outputs["output"].startswith("Reply to: Your task is to carefully read, then edi")
    ran = {d["title"] for d in events.of("node_finished")}
    assert "EXPERT_SUGGESTIONS" in ran and "EXPERT_SUGGESTIONS_WITH_COUNTRY" not in ran
    first = fake_llm.requests[0].body
    assert "from Good morning to French" in message_text(first, "system")
    assert message_text(first, "user").strip().endswith("Good morning")
    assert result.total_tokens > 0 and len(fake_llm.requests) == 3


def test_translation_workflow_with_country(fake_llm):
    fake_llm.default = labelled_reply
    graph = load_workflow("awesome-translation-workflow")["graph"]
    inputs = {"target_lang": "Spanish", "source_lang": "English", "source_text": "Hi", "country": "Mexico"}

    result, events = run(graph, inputs, llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    ran = {d["title"] for d in events.of("node_finished")}
    assert "EXPERT_SUGGESTIONS_WITH_COUNTRY" in ran and "EXPERT_SUGGESTIONS" not in ran
    suggestions = fake_llm.requests[1].body
    assert "colloquially spoken in Mexico" in message_text(suggestions, "system")
    translation = events.finished(TRANSLATION_LLM)["outputs"]["text"]
    assert translation in message_text(fake_llm.requests[2].body, "user")  # IMPROVE sees the first translation


def test_customer_review_analysis_routes_and_posts(fake_llm, http_server):
    base_url, received = http_server
    graph = copy.deepcopy(load_workflow("dify-tpl-customer-review-analysis")["graph"])
    for node in graph["nodes"]:
        if node["data"].get("type") == "http-request":
            node["data"]["url"] = f"{base_url}/{node['id']}"
    fake_llm.script(
        Reply(text='{"category_id": "1711529041725", "category_name": "Negative review"}'),
        Reply(text='Sure:\n```json\n{"category_id": "1711529068956", "category_name": "Transportation issue"}\n```'),
    )

    result, events = run(graph, {"review": "The parcel arrived two weeks late."},
                         llm_settings_for=settings_for(fake_llm), http_allow_private=True)

    assert result.status == "succeeded", result.error
    assert [r["path"] for r in received] == ["/1711529078719"]
    assert json.loads(result.outputs["output"])["path"] == "/1711529078719"
    classifier = events.finished("1711529036587")
    assert classifier["outputs"]["class_name"] == "Negative review "
    assert "The parcel arrived two weeks late." in message_text(fake_llm.requests[0].body, "user")


def test_customer_review_refuses_private_targets_by_default(fake_llm, http_server):
    base_url, received = http_server
    graph = copy.deepcopy(load_workflow("dify-tpl-customer-review-analysis")["graph"])
    for node in graph["nodes"]:
        if node["data"].get("type") == "http-request":
            node["data"]["url"] = f"{base_url}/{node['id']}"
    fake_llm.script(Reply(text='{"category_id": "1711529038361"}'))

    result, _ = run(graph, {"review": "Great!"}, llm_settings_for=settings_for(fake_llm))

    assert result.status == "failed"
    assert "not allowed" in result.error and received == []


def test_llm2o1_extracts_steps_iterates_and_streams_answer(fake_llm):
    fake_llm.default = labelled_reply
    graph = load_workflow("awesome-llm2o1")["graph"]

    result, events = run(graph, system={"query": "How many r in strawberry?"}, mode="advanced-chat",
                         llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    extractor = events.finished("1727188958486")["outputs"]
    assert extractor["__is_success"] == 1 and [s["name"] for s in extractor["steps"]] == ["Step 1", "Step 2", "Step 3"]
    iteration = events.finished("1727189041788")["outputs"]["output"]
    assert len(iteration) == 3 and all(text.startswith("Reply to: ## 问题") for text in iteration)
    answer = events.finished("answer")["outputs"]["answer"]
    assert answer.startswith("## 问题分析步骤\n") and "##  最终解答\nReply to: ## 原问题" in answer
    assert events.text() == answer == result.answer
    assert message_text(fake_llm.requests[0].body, "user") == "How many r in strawberry?"  # memory query


def test_book_translation_chunks_and_joins(fake_llm):
    fake_llm.default = labelled_reply
    graph = load_workflow("awesome-book-translation")["graph"]

    result, events = run(graph, {"input_text": "Prompt engineering is fun."}, llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert list(result.outputs) == ["final"] and result.outputs["final"].startswith("Reply to: <任务>基于初次直接翻译")
    assert len(fake_llm.requests) == 4
    assert "Prompt engineering is fun." in message_text(fake_llm.requests[0].body, "system")


def test_artifact_streams_llm_tokens_live(fake_llm):
    fake_llm.script(Reply(text="Hello from the model", chunk_size=2, pace=0.01))
    graph = load_workflow("awesome-artifact")["graph"]

    result, events = run(graph, system={"query": "hi"}, mode="advanced-chat", llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert events.text() == "Hello from the model" == result.outputs["answer"]
    names = events.names()
    first_chunk = names.index("text_chunk")
    llm_finished = next(i for i, (name, data, _) in enumerate(events.events)
                        if name == "node_finished" and data["node_id"] == "llm")
    assert first_chunk < llm_finished
    assert len(events.of("text_chunk")) >= 5
    assert all(c["from_variable_selector"] == ["llm", "text"] for c in events.of("text_chunk"))
