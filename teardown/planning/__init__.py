"""Planning: actions, the action graph and its edge rules, fingerprints, summaries, the plan file, renderers (pure)."""
