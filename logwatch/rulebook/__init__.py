"""What a line is checked against: rule files, the error catalogue.

The modules of logwatch.rulebook, top layer first. They import only from the packages
below: follow, core (pyproject.toml's import-linter contracts check it)::

    catalogue          code -> category, severity, title, remedy
    catalogueassembly  the catalogue put together, and its rules
    cataloguefile      the catalogue's YAML files and exception classes
    cataloguepacks     each exchange's tables packed for the rules cache
    cataloguetext      titles, lookup keys, shape examples and rule ids
    codesfile          the catalogue's codes files (*.codes.csv)
    patterns           the literal keywords a regex demands
    rulecache          the signed cache of loaded RuleSets
    rulecompile        rule YAML -> checked, compiled Rules
    ruleload           the rule folders' files -> one RuleSet with its catalogue
    rules              the compiled Rule and the RuleSet (the model alone)
    rulespec           the rule and catalogue files' schema (pydantic)
"""
