"""The simulation pool prices small simulations on the event loop and larger ones in its worker threads."""

import threading

from invoice_svc.app.simulation_pool import INLINE_DELIVERIES, SimulationPool


async def test_small_simulations_stay_on_the_loop_and_larger_ones_go_to_a_worker_thread():
    pool = SimulationPool(workers=1)
    loop_thread = threading.get_ident()
    try:
        small = await pool.run(INLINE_DELIVERIES, threading.get_ident)
        large = await pool.run(INLINE_DELIVERIES + 1, lambda: (threading.current_thread().name, pool.in_threads))
    finally:
        await pool.aclose()
    assert small == loop_thread
    assert large[0].startswith("price-simulation") and large[1] == 1
    assert pool.in_threads == 0
