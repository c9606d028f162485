// ddciDeploy(service: 'shop', env: 'prod', serviceVersion: '1.2.3', tags: ['team:core'])
// ddciDeploy(service: 'shop', env: 'prod') { sh './deploy.sh prod' }
// Sends a DORA deployment event for the commit checked out (ddci-deploy) and
// returns its id. With a closure, the closure is the deployment: it runs
// first, and the deployment starts when it started. The start time, first
// given first: startedAt; when the closure began; DDCI_JOB_STARTED_AT in the
// environment; the build's start.
// Options: service, env, serviceVersion, startedAt, finishedAt, team, tags
// (List or 'a b'), id, commitSha, repositoryUrl, remediates ('auto' or an
// id; needs the app key), noGit, noFail, spoolDir, site, apiKeyCredentialsId,
// appKeyCredentialsId, extraArgs (List, or a String split like a shell).
String call(Map args = [:], Closure body = null) {
    def started = args.startedAt
    if (body != null) {
        long t = (long) (System.currentTimeMillis() / 1000)
        body()
        started = started ?: t
    }
    started = started ?: env.DDCI_JOB_STARTED_AT ?: (long) (currentBuild.startTimeInMillis / 1000)
    String out = "${env.WORKSPACE_TMP ?: pwd(tmp: true)}/ddci-deploy.out"
    Map a = args + [startedAt: started, stdoutFile: out]
    int rc = ddciRun('ddci-deploy', a,
        [service: '--service', env: '--env', serviceVersion: '--service-version', startedAt: '--started-at',
         finishedAt: '--finished-at', team: '--team', id: '--id', commitSha: '--commit-sha',
         repositoryUrl: '--repository-url', remediates: '--remediates', spoolDir: '--spool'],
        [noGit: '--no-git', noFail: '--no-fail'],
        [tags: '--tag'],
        args.remediates ? true : false)
    if (rc != 0) {
        error("ddci-deploy failed with exit status ${rc}")
    }
    return fileExists(out) ? readFile(out).trim() : ''
}
