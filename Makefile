# SAP: one entry point for operators and developers. See README.md.
SHELL := /bin/bash
SERVICES := auth empresas proyectos programacion

.PHONY: help bootstrap keys test lint

help:
	@echo "make up | down | logs | stop s=NAME | start s=NAME | test | lint | demo"

bootstrap:
	@ops/bootstrap.sh

keys: bootstrap

test:
	@ops/test.sh
