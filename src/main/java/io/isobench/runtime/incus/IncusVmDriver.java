package io.isobench.runtime.incus;

import io.isobench.host.KvmProbe;
import io.isobench.runtime.AptPackage;
import io.isobench.runtime.Availability;
import io.isobench.runtime.HostSetup;
import io.isobench.runtime.LaunchSpec;
import io.isobench.runtime.Leftovers;
import io.isobench.runtime.ProbeContext;
import io.isobench.runtime.RuntimeDriver;
import io.isobench.runtime.Sandbox;

import java.util.List;
import java.util.Optional;

/**
 * Incus virtual machine: needs usable KVM (Incus runs VMs only with it). Where the host's KVM probe finds none it is
 * unavailable with that probe's reason. Where KVM is usable it is still unavailable in this version: an Incus VM image
 * needs a bootable disk (UEFI, a kernel and the incus-agent for {@code incus exec}) that isobench does not build yet.
 */
public final class IncusVmDriver implements RuntimeDriver {
    @Override
    public String id() {
        return "incus-vm";
    }

    @Override
    public String kind() {
        return "vm";
    }

    @Override
    public String description() {
        return "Incus virtual machine (needs usable KVM)";
    }

    @Override
    public List<AptPackage> packages() {
        return List.of(IncusDriver.PACKAGE);
    }

    @Override
    public boolean installedBySetup() {
        return false;
    }

    @Override
    public Optional<HostSetup> hostSetup() {
        return Optional.of(IncusSetup.INSTANCE);
    }

    @Override
    public Optional<Leftovers> leftovers() {
        return Optional.of(IncusLeftovers.INSTANCE);
    }

    @Override
    public Availability probe(ProbeContext ctx) {
        var kvm = KvmProbe.shared().probe();
        if (!kvm.usable()) {
            return Availability.no(id(), null, "KVM is not usable here (" + kvm.summary() + "); Incus runs VMs only with KVM");
        }
        String why = IncusDriver.notReady();
        return Availability.no(id(), null, why != null ? why
                : "KVM is usable, but this version of isobench does not build an Incus VM image (bootable disk with incus-agent) yet");
    }

    @Override
    public Sandbox launch(LaunchSpec spec) throws LaunchException {
        throw new LaunchException("incus-vm has no launch path in this version of isobench");
    }
}
