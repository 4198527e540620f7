#!/usr/bin/env bash
# Starts a single-node SLURM cluster on this machine (munge, slurmctld and slurmd on
# localhost), for the study's SLURM test. Needs root and Debian's slurm-wlm and munge.
# Idempotent: a cluster already answering is left alone.
set -euo pipefail
if sinfo -h >/dev/null 2>&1 && [ "$(sinfo -h -o %T | head -1)" = idle ]; then exit 0; fi
node=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 8 / 10 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=nanoatoms-ci
SlurmctldHost=${node}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memory} State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
CONF
# A key of its own when the package left none.
[ -s /etc/munge/munge.key ] || mungekey --create --force
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 1 60); do
    state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && exit 0
    scontrol update nodename="${node}" state=resume >/dev/null 2>&1 || true
    sleep 1
done
echo "start-local-slurm: the node did not come up (state: ${state:-none}); see /var/log/slurm/" >&2
exit 1
