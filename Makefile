# The two commands of the README. Settings: see scripts/_common.sh (PGHOST, PGUSER, ABS_PYTHON, ...).
.PHONY: run test smoke bench load replica cluster
run:  ## demo database + Odoo on http://127.0.0.1:8069, prints the /api logins and an API key
	scripts/run.sh
test: ## fresh test database, whole suite with pytest-odoo over real HTTP, then the smoke run
	scripts/test.sh
smoke: ## fresh demo database, real Odoo server (2 workers): demo journey, fuzzing, /api/docs, server log
	scripts/smoke.sh
bench: ## benchmarks: the API against JSON-RPC on the same data; recurring billing on 1,000 and 10,000 subscriptions; the per-agent report; PAYG tokens and daily job; offline sync (ABS_BENCH=stock|subscriptions|report|payg|sync|all)
	scripts/bench.sh
load: ## a day of field work: 50 agents (Locust) against Odoo with workers, then nothing lost or doubled
	scripts/load.sh
replica: ## a streaming replica of the database: the API's GETs read on it, writes on the primary
	scripts/replica.sh
cluster: ## two Odoo nodes behind nginx on one database: PDFs, logouts, memberships and jobs across nodes, the load run
	scripts/cluster.sh
