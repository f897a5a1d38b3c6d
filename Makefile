# OCS Toolbox — the team's commands. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD      := $(CURDIR)/.build
VENV       := $(BUILD)/venv
PY         := $(VENV)/bin/python
PLUGINS    := $(BUILD)/plugins
QGIS_PROCESS := /usr/bin/qgis_process.bin
SYS_PY     := /usr/bin/python3
APT_PACKAGES := qgis python3-qgis qgis-providers python3-venv python3-gdal gdal-bin pyqt5-dev-tools qttools5-dev-tools \
                postgresql-15 postgresql-15-postgis-3 poppler-utils
PYTEST_PIN := pytest==8.3.5 pytest-qgis==2.1.0
export QT_QPA_PLATFORM := offscreen
export QGIS_PLUGINPATH := $(PLUGINS)

.PHONY: help deps venv link test test-fast test-340 test-unit test-qgis demo sample bench i18n styles models layouts package screenshots clean

help:
	@echo "make demo       install what is missing, build the sample territory, run the main job (outputs in demo/)"
	@echo "make test       install what is missing and run every test"
	@echo "make test-fast  host QGIS only"
	@echo "make bench      performance figures written to BENCHMARKS.md"
	@echo "make i18n       refresh i18n/*.ts and compile the .qm files"
	@echo "make styles     regenerate resources/styles/*.qml from the registry"
	@echo "make models     regenerate resources/models/*.model3"
	@echo "make layouts    regenerate resources/layouts/portrait_*.qpt (the default atlas portrait)"
	@echo "make package    zip the plugin for the QGIS plugin manager"
	@echo "make screenshots  toolbox, dialogs, designer (en, fr) and reports as PNG in .build/screenshots/"

# QGIS from Debian's packages when missing (root on our machines; sudo otherwise).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

venv: deps $(VENV)/.done
$(VENV)/.done:
	$(SYS_PY) -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install -q $(PYTEST_PIN)
	touch $@

# The repository root is the plugin: expose it as .build/plugins/ocs_toolbox.
link:
	@mkdir -p $(PLUGINS) && ln -sfn $(CURDIR) $(PLUGINS)/ocs_toolbox

test-unit: venv link
	cd $(BUILD) && $(PY) -m pytest -p no:qgis -p no:cacheprovider -c $(CURDIR)/pytest.ini --rootdir=$(CURDIR) $(CURDIR)/tests/unit

test-qgis: venv link
	cd $(BUILD) && $(PY) -m pytest -p no:cacheprovider -c $(CURDIR)/pytest.ini --rootdir=$(CURDIR) $(CURDIR)/tests/qgis $(CURDIR)/tests/cli

test-fast: test-unit test-qgis
	@$(PY) -c "from qgis.core import Qgis; print('Tests passed on QGIS', Qgis.QGIS_VERSION)"

test: test-fast test-340

test-340: venv link
	bash scripts/qgis340.sh test

sample: deps link
	$(SYS_PY) scripts/make_sample.py sample
	$(SYS_PY) scripts/make_sample_context.py sample

demo: venv link sample
	bash scripts/demo.sh

bench: venv link
	$(PY) scripts/bench.py

i18n: deps
	bash scripts/i18n.sh

styles: venv link
	QT_HASH_SEED=0 $(PY) scripts/make_styles.py   # fixed seed: XML attributes in a stable order

models: venv link
	QT_HASH_SEED=0 $(PY) scripts/make_models.py

layouts: venv link
	QT_HASH_SEED=0 $(PY) scripts/make_layouts.py

# QGIS under Xvfb and headless Chromium (installs xvfb and chromium when missing); the reports of `make demo`.
screenshots: venv link
	@[ -f demo/rapport_zan.html ] && [ -f demo/rapport_transitions.html ] || $(MAKE) demo
	PY=$(PY) bash scripts/screenshots.sh

package:
	$(SYS_PY) scripts/package.py --output $(CURDIR)/ocs_toolbox.zip

clean:
	rm -rf $(BUILD) demo sample ocs_toolbox.zip
