// The few MPI calls atkd makes, as plain C functions: MPI_COMM_WORLD and the MPI_FLOAT / MPI_SUM
// handles are macros over OpenMPI's globals, which Swift cannot import.
#ifndef ATKD_CMPI_SHIM_H
#define ATKD_CMPI_SHIM_H
#include <mpi.h>

static inline int atkd_mpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(0, 0, MPI_THREAD_FUNNELED, &provided);
}
static inline int atkd_mpi_initialized(void) { int flag = 0; MPI_Initialized(&flag); return flag; }
static inline int atkd_mpi_finalize(void) { return MPI_Finalize(); }
static inline int atkd_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int atkd_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int atkd_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static inline int atkd_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
/// Sum of `count` floats over all ranks, in place, the same on every rank.
static inline int atkd_mpi_allreduce_sum_float(float *data, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
/// Sum of `count` doubles over all ranks, in place.
static inline int atkd_mpi_allreduce_sum_double(double *data, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
/// The same `count` ints on every rank as on `root`.
static inline int atkd_mpi_broadcast_int(int *data, int count, int root) {
    return MPI_Bcast(data, count, MPI_INT, root, MPI_COMM_WORLD);
}
#endif
