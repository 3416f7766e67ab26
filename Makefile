# SAP: one entry point for operators and developers. See README.md.
SHELL := /bin/bash
STACK := .venv/bin/python ops/stack.py
# `make stop s=empresas`, `make logs s=proyectos`...
s ?=

.PHONY: help bootstrap keys up down stop start restart status logs test lint demo

help:
	@echo "make up                 start the four services and the gateway (supervisor)"
	@echo "make status             what runs, and whether each service answers"
	@echo "make logs [s=NAME]      follow the logs (all, or one program)"
	@echo "make stop s=NAME        stop one program (auth empresas proyectos programacion gateway)"
	@echo "make start s=NAME       start it again"
	@echo "make restart [s=NAME]   restart one program, or all"
	@echo "make down               stop everything, supervisord included"
	@echo "make test               formatting, lint, every test suite, cross-service tests"
	@echo "make lint               static checks of the Docker and Kubernetes files"
	@echo "make demo               load invented empresas and proyectos through the gateway"
	@echo "make bench              measure the detalle's latency on a stack of its own"

bootstrap:
	@ops/bootstrap.sh

keys: bootstrap

up: bootstrap
	@$(STACK) up

down:
	@if [ -x .venv/bin/python ]; then $(STACK) down; else echo "SAP is not running."; fi

stop start:
	@if [ -z "$(s)" ]; then echo "usage: make $@ s=NAME (auth empresas proyectos programacion gateway)"; exit 2; fi
	@$(STACK) $@ $(s)

restart status logs:
	@$(STACK) $@ $(s)

test:
	@ops/test.sh

lint:
	@bash ops/lint.sh

# Invented empresas, proyectos, plans and seguimiento through the gateway;
# needs a running stack. DEMO_PASSWORD sets the demo user's password.
demo:
	@if [ -x .venv/bin/python ]; then .venv/bin/python ops/demo.py; else echo "Run \`make up\` first: make demo loads data into the running SAP."; exit 1; fi

# Latency and throughput of the detalle through nginx, on a stack of its own
# (ops/bench.py --help for the options: `make bench BENCH_ARGS="--policy test"`).
.PHONY: bench
bench: bootstrap
	@.venv/bin/python ops/bench.py $(BENCH_ARGS)
