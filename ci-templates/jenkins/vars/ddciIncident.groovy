// ddciIncident(name: 'checkout down', severity: 'High', services: ['shop'], env: 'prod')
// Sends a DORA failure (incident) event (ddci-incident); returns its id.
// Options: name, severity, startedAt (default: now), finishedAt, services
// (List or 'a b'), team, env, serviceVersion, tags, id, commitSha,
// repositoryUrl, noGit, noFail, spoolDir, site, apiKeyCredentialsId,
// extraArgs (List, or a String split like a shell).
String call(Map args = [:]) {
    String out = "${env.WORKSPACE_TMP ?: pwd(tmp: true)}/ddci-incident.out"
    Map a = [startedAt: 'now'] + args + [stdoutFile: out]
    int rc = ddciRun('ddci-incident', a,
        [name: '--name', severity: '--severity', startedAt: '--started-at', finishedAt: '--finished-at',
         team: '--team', env: '--env', serviceVersion: '--service-version', id: '--id',
         commitSha: '--commit-sha', repositoryUrl: '--repository-url', spoolDir: '--spool'],
        [noGit: '--no-git', noFail: '--no-fail'],
        [services: '--service', tags: '--tag'])
    if (rc != 0) {
        error("ddci-incident failed with exit status ${rc}")
    }
    return fileExists(out) ? readFile(out).trim() : ''
}
