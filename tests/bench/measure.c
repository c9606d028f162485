/* measure.c — runs one command and reports its cost from the kernel's
 * accounting (wait4 / getrusage of the child), with microsecond CPU times
 * where /usr/bin/time prints hundredths.  For tests/bench/lib.sh.
 *
 * Usage: measure OUTFILE CMD [ARGS...]
 * Appends "cpu_ms wall_ms peak_rss_kib exit_status" to OUTFILE; the command's
 * stdout goes to /dev/null, its stderr is kept.  Exits with the command's status. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0, code;
	FILE *out;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "a");
	if (!out)
		return 2;
	/* wait4 counts the child and every descendant it waited for (curl+jq
	 * pipelines, datadog-ci's git); ru_maxrss is the largest of them. */
	fprintf(out, "%.3f %.3f %ld %d\n", ms(ru.ru_utime) + ms(ru.ru_stime),
		(double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, ru.ru_maxrss,
		code);
	fclose(out);
	return code;
}
