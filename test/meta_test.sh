#!/usr/bin/env bash
# META.json against the PGXN meta spec 1.0.0's rules that can be checked
# here: valid JSON, the required keys and their types, a semantic version
# (major.minor.patch), a known license, every provided extension's file
# present, each one's version its control file's default_version, and the
# release's version job_control's.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import json, os, re, sys
meta = json.load(open("META.json"))
problems = []
semver = re.compile(r"^\d+\.\d+\.\d+$")
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in meta:
        problems.append(f"missing required key {key}")
if not semver.match(meta.get("version", "")):
    problems.append("version is not major.minor.patch")
if meta.get("meta-spec", {}).get("version") != "1.0.0":
    problems.append("meta-spec version is not 1.0.0")
known = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd",
         "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit",
         "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay",
         "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"}
if isinstance(meta.get("license"), str) and meta["license"] not in known:
    problems.append(f"unknown license {meta['license']}")
def default_version(extension):
    control = open(f"{extension}.control").read()
    return re.search(r"default_version\s*=\s*'([^']+)'", control).group(1)
release = default_version("job_control")
for name, p in meta.get("provides", {}).items():
    default = default_version(name)
    for key in ("file", "version"):
        if key not in p:
            problems.append(f"provides.{name} lacks {key}")
    if not os.path.exists(p.get("file", "")):
        problems.append(f"provides.{name}.file {p.get('file')} does not exist")
    if not semver.match(p.get("version", "")):
        problems.append(f"provides.{name}.version is not major.minor.patch")
    if not p.get("version", "").startswith(default + "."):
        problems.append(f"provides.{name}.version {p.get('version')} is not the control file's {default}")
if not meta["version"].startswith(release + "."):
    problems.append(f"version {meta['version']} is not job_control.control's {release}")
if problems:
    print("meta_test: " + "; ".join(problems)); sys.exit(1)
print(f"meta_test: META.json is valid PGXN meta (spec 1.0.0), release {meta['version']}")
PY
