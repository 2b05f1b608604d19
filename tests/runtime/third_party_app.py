from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
history = []  # type: ignore[var-annotated]


@app.entrypoint
def invoke(payload, context):
    history.append(payload.get("prompt"))
    return {"result": f"you said {payload.get('prompt')}", "turns": len(history)}


if __name__ == "__main__":
    app.run()
