"""A throwaway PostgreSQL/PostGIS cluster for the PostGIS tests (issue #17): no mock, a real server.

Used two ways:
- by the session fixture ``postgis`` of tests/qgis/conftest.py (host leg, QGIS 3.22): ``start()`` then ``stop()``;
- by scripts/qgis340.sh on the host, for the QGIS 3.40 leg in the trixie chroot (which has no server):
  ``python3 tests/pgcluster.py start`` prints the connection string, the chroot's tests reach the server over
  TCP on 127.0.0.1 (the chroot shares the host's network), ``python3 tests/pgcluster.py stop DIR`` stops it.

The cluster lives in a fresh directory under /tmp (PostgreSQL refuses to run as root: run as the ``postgres``
user through ``runuser`` when we are root), listens on 127.0.0.1 on a free port and on a unix socket in that
directory, trusts local connections except for the role ``ocs_pw`` (password ``ocs-secret``, SCRAM), which the
tests use to check how an authentication failure is reported. The database ``ocs_test`` has PostGIS.

Debian packages: postgresql-15 and postgresql-15-postgis-3 (``make deps`` installs them).
"""
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile

DATABASE = "ocs_test"
PASSWORD_ROLE, PASSWORD = "ocs_pw", "ocs-secret"
HBA = """\
local all {role} scram-sha-256
host all {role} 127.0.0.1/32 scram-sha-256
local all all trust
host all all 127.0.0.1/32 trust
""".format(role=PASSWORD_ROLE)


class ClusterError(RuntimeError):
    pass


def server_bin():
    """The bin directory of the newest PostgreSQL server that has PostGIS; ClusterError naming the missing
    package otherwise."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not found:
        raise ClusterError("no PostgreSQL server installed (no /usr/lib/postgresql/*/bin/initdb): install the Debian "
                           "packages postgresql-15 and postgresql-15-postgis-3 (`make deps` does it)")
    for initdb in reversed(found):
        version = initdb.split("/")[4]
        if os.path.exists("/usr/share/postgresql/%s/extension/postgis.control" % version):
            return os.path.dirname(initdb)
    version = found[-1].split("/")[4]
    raise ClusterError("PostgreSQL %s has no PostGIS: install the Debian package postgresql-%s-postgis-3 "
                       "(`make deps` does it)" % (version, version))


def _as_server_user(command):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


def _run(command, what):
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise ClusterError("%s failed (%s):\n%s" % (what, " ".join(command), done.stdout[-3000:]))
    return done.stdout


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def conninfo(port, dbname=DATABASE, user="postgres", host="127.0.0.1"):
    return "dbname='%s' host=%s port=%d user='%s'" % (dbname, host, port, user)


def start(base="/tmp"):
    """Start a cluster; returns {'dir', 'port', 'conninfo'}. Raises ClusterError with the reason."""
    bindir = server_bin()
    workdir = tempfile.mkdtemp(prefix="ocs_pg_", dir=base)
    try:
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres", "postgres")
        os.chmod(workdir, 0o700)
        data = os.path.join(workdir, "data")
        _run(_as_server_user([os.path.join(bindir, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--locale=C", "--no-sync"]), "initdb")
        _write_as_server(os.path.join(data, "pg_hba.conf"), HBA)
        port = free_port()
        options = ("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories='%s' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off" % (port, workdir))
        _run(_as_server_user([os.path.join(bindir, "pg_ctl"), "-D", data, "-l", os.path.join(workdir, "server.log"),
                              "-w", "-t", "60", "-o", options, "start"]), "pg_ctl start")
        psql = [os.path.join(bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port),
                "-U", "postgres"]
        _run(psql + ["-d", "postgres", "-c", "CREATE DATABASE %s" % DATABASE], "CREATE DATABASE")
        _run(psql + ["-d", DATABASE, "-c", "CREATE EXTENSION postgis; CREATE ROLE %s LOGIN PASSWORD '%s'; "
                     "GRANT ALL ON SCHEMA public TO %s" % (PASSWORD_ROLE, PASSWORD, PASSWORD_ROLE)],
             "CREATE EXTENSION postgis")
    except Exception:
        stop(workdir)
        raise
    return {"dir": workdir, "port": port, "conninfo": conninfo(port)}


def _write_as_server(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def stop(workdir):
    """Stop the cluster of ``workdir`` (immediately: it is thrown away) and remove the directory."""
    data = os.path.join(workdir, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        try:
            bindir = server_bin()
            subprocess.run(_as_server_user([os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "-w",
                                            "stop"]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except ClusterError:
            pass
    shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    if len(argv) >= 1 and argv[0] == "start":
        try:
            info = start(argv[1] if len(argv) > 1 else "/tmp")
        except ClusterError as error:
            print("cannot start PostgreSQL/PostGIS: %s" % error, file=sys.stderr)
            return 1
        print(info["dir"])
        print(info["conninfo"])
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        stop(argv[1])
        return 0
    print("usage: pgcluster.py start [BASE_DIR] | stop DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
