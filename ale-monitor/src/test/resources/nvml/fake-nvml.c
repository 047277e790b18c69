/*
 * A stand-in for the driver's libnvidia-ml.so.1 where no GPU exists: the same C entry points and
 * structure layout as NVML, with samples the test sets through fake_set_sample. It follows NVML's
 * calling conventions: the size query with a NULL buffer answers NVML_ERROR_INSUFFICIENT_SIZE,
 * only samples newer than lastSeenTimeStamp are returned, none at all is NVML_ERROR_NOT_FOUND.
 */
#include <stddef.h>
#include <string.h>

#define SUCCESS 0
#define ERROR_UNINITIALIZED 1
#define ERROR_INVALID_ARGUMENT 2
#define ERROR_NOT_FOUND 6
#define ERROR_INSUFFICIENT_SIZE 7
#define DEVICES 2
#define MAX_SAMPLES 64

typedef struct {
    unsigned int pid;
    unsigned long long timeStamp;
    unsigned int smUtil;
    unsigned int memUtil;
    unsigned int encUtil;
    unsigned int decUtil;
} sample_t;

struct device { int index; };
static struct device devices[DEVICES] = {{0}, {1}};
static sample_t samples[DEVICES][MAX_SAMPLES];
static int counts[DEVICES];
static int inits;
static int fail_init;
static int reads;

int nvmlInit_v2(void) { if (fail_init) return 999; inits++; return SUCCESS; }
int nvmlShutdown(void) { if (inits == 0) return ERROR_UNINITIALIZED; inits--; return SUCCESS; }
const char *nvmlErrorString(int rc) { return rc == 999 ? "Driver Not Loaded" : "Unknown Error"; }

int nvmlDeviceGetCount_v2(unsigned int *count) {
    if (inits == 0) return ERROR_UNINITIALIZED;
    *count = DEVICES;
    return SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, struct device **device) {
    if (inits == 0) return ERROR_UNINITIALIZED;
    if (index >= DEVICES) return ERROR_INVALID_ARGUMENT;
    *device = &devices[index];
    return SUCCESS;
}

int nvmlDeviceGetProcessUtilization(struct device *device, sample_t *out, unsigned int *count, unsigned long long lastSeen) {
    if (inits == 0) return ERROR_UNINITIALIZED;
    if (device == NULL || count == NULL) return ERROR_INVALID_ARGUMENT;
    int d = device->index, newer = 0;
    if (out == NULL) reads++;
    for (int i = 0; i < counts[d]; i++) if (samples[d][i].timeStamp > lastSeen) newer++;
    if (newer == 0) { *count = 0; return ERROR_NOT_FOUND; }
    if (out == NULL || *count < (unsigned int) newer) { *count = newer; return ERROR_INSUFFICIENT_SIZE; }
    int n = 0;
    for (int i = 0; i < counts[d]; i++) if (samples[d][i].timeStamp > lastSeen) out[n++] = samples[d][i];
    *count = n;
    return SUCCESS;
}

/* test controls */
void fake_set_sample(int device, unsigned int pid, unsigned long long timeStamp, unsigned int smUtil) {
    if (counts[device] == MAX_SAMPLES) { memmove(samples[device], samples[device] + 1, sizeof(sample_t) * (MAX_SAMPLES - 1)); counts[device]--; }
    sample_t s = {pid, timeStamp, smUtil, smUtil / 2, 0, 0};
    samples[device][counts[device]++] = s;
}
int fake_inits(void) { return inits; }
int fake_reads(void) { return reads; }
void fake_fail_init(int fail) { fail_init = fail; }
