/* fake-datadog Synthetics API (being written). */
#include "fd.h"

void fd_synth_history(const struct fd_req *req, struct fd_resp *resp) { (void)req; fd_resp_error(resp, 501, "not implemented yet"); }
int fd_synth_load(const char *public_id, const cJSON *arr, char *err, size_t errlen) { (void)public_id; (void)arr; (void)err; (void)errlen; return 0; }
void fd_synth_generate(int n) { (void)n; }
void fd_synth_state(cJSON *out) { (void)out; }
void fd_synth_free(void) {}
