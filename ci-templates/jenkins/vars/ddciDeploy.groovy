// ddciDeploy(service: 'shop', env: 'prod', serviceVersion: '1.2.3', tags: ['team:core'])
// Sends a DORA deployment event for the commit checked out (ddci-deploy) and
// returns its id. startedAt defaults to when the build started.
// Options: service, env, serviceVersion, startedAt, finishedAt, team, tags,
// id, commitSha, repositoryUrl, remediates ('auto' or an id; needs the app
// key), noGit, noFail, spoolDir, site, apiKeyCredentialsId,
// appKeyCredentialsId, extraArgs.
String call(Map args = [:]) {
    String out = "${env.WORKSPACE ?: pwd()}/.ddci-deploy.out"
    Map a = [startedAt: (long) (currentBuild.startTimeInMillis / 1000)] + args + [stdoutFile: out]
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
